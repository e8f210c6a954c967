import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, account, type Frame, type TestBroker, startBroker } from './helpers';
import { startRedis, type TestRedis } from '../support/redis-server';

let redis: TestRedis;
let two: TestBroker;
let child: ChildProcess | undefined;
const peers: RawPeer[] = [];

/** `npm run broker` as a separate process on one Redis with node two, so it can be killed with SIGKILL. */
async function spawnNode(dataDir: string, redisUrl: string): Promise<{ process: ChildProcess; wsUrl: (id: string, token: string) => string }> {
  const node = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BCRYPT_COST: '4', LOG_LEVEL: 'warn', REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: node.stdout! }).once('line', resolve);
    node.once('exit', (code) => reject(new Error(`node one exited early with ${code}`)));
  });
  const port = /:(\d+)$/.exec(line)?.[1];
  if (!port) throw new Error(`unexpected first line: ${line}`);
  return { process: node, wsUrl: (id, token) => `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${token}` };
}

const presence = (online: string[], offline: string[]) => (frame: Frame) =>
  frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === JSON.stringify({ online, offline });

beforeAll(async () => {
  redis = await startRedis();
  two = await startBroker({ redisUrl: redis.url });
});
afterAll(async () => {
  for (const peer of peers) peer.close();
  if (child?.exitCode === null) child.kill('SIGKILL');
  await two.close();
  await redis.close();
});

describe('a broker node killed with SIGKILL', () => {
  it('is noticed by the other node, whose peers see its friends go offline, and its peers are online again on the other node', async () => {
    const aliceToken = await account(two.app, 'alice');
    const bobToken = await account(two.app, 'bob');
    const one = await spawnNode(two.config.dataDir, redis.url);
    child = one.process;
    const alice = RawPeer.connect(one.wsUrl('alice', aliceToken));
    const bob = RawPeer.connect(two.wsUrl('bob', bobToken));
    peers.push(alice, bob);
    await Promise.all([alice.opened(), bob.opened()]);
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next(presence([], []));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(presence(['alice'], []));

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await alice.closed;
    // alice's client reconnects through the load balancer and lands on node two with the same session.
    const back = RawPeer.connect(two.wsUrl('alice', aliceToken));
    peers.push(back);
    await back.opened();
    back.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await back.next(presence(['bob'], []));
    const onlineAgainMs = Date.now() - killedAt;
    expect(onlineAgainMs).toBeLessThan(30_000);
    console.log(`alice online again on node two ${onlineAgainMs} ms after node one was killed`);

    // A friend of someone on the dead node who does not come back hears they went offline once the node's key expires.
    const carolToken = await account(two.app, 'carol');
    const restarted = await spawnNode(two.config.dataDir, redis.url);
    child = restarted.process;
    const carol = RawPeer.connect(restarted.wsUrl('carol', carolToken));
    peers.push(carol);
    await carol.opened();
    carol.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice', 'carol'] } });
    await bob.next((frame) => frame.type === 'PW_PRESENCE' && (frame.payload as { online: string[] }).online.includes('carol'));
    const killedAgainAt = Date.now();
    child.kill('SIGKILL');
    await bob.next(presence([], ['carol']), 30_000);
    console.log(`bob heard carol went offline ${Date.now() - killedAgainAt} ms after her node was killed`);
  }, 60_000);
});
