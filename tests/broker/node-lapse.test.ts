import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawPeer, account, type Frame, type TestBroker, startBroker } from './helpers';
import { flushRedis, startRedis } from '../support/redis-server';

// A node that is still running but whose liveness key lapsed (its heartbeats timed out, say) is reaped by the
// others; it must notice at its next heartbeat and claim its sockets again.
const redis = await startRedis();
const client = new Redis(redis.url);
afterAll(async () => {
  client.disconnect();
  await redis.close();
});

let one: TestBroker;
let two: TestBroker;
const peers: RawPeer[] = [];
beforeEach(async () => {
  await flushRedis(redis.url);
  one = await startBroker({ redisUrl: redis.url });
  two = await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir });
});
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await two.close({ keepData: true });
  await one.close({ keepData: true });
  rmSync(one.config.dataDir, { recursive: true, force: true });
});

async function online(node: TestBroker, handle: string, token: string): Promise<RawPeer> {
  const peer = RawPeer.connect(node.wsUrl(handle, token));
  peers.push(peer);
  await peer.opened();
  return peer;
}

const presence = (online: string[], offline: string[]) => (frame: Frame) =>
  frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === JSON.stringify({ online, offline });

describe('a running node whose liveness key lapsed', () => {
  it('claims its sockets again after the other node let go of them, so friends see it online and reach it', async () => {
    const alice = await online(one, 'alice', await account(one.app, 'alice'));
    const bob = await online(two, 'bob', await account(two.app, 'bob'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next(presence([], []));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(presence(['alice'], []));
    const nodeOne = await client.hget('pw:peer:alice', 'node');
    expect(nodeOne).toBeTruthy();

    // As if node one's heartbeats timed out: its key is gone until node two reaps it.
    const lapse = setInterval(() => void client.del(`pw:node:${nodeOne}`), 50);
    try {
      await bob.next(presence([], ['alice']), 10_000);
    } finally {
      clearInterval(lapse);
    }
    await client.del(`pw:node:${nodeOne}`);

    await bob.next((frame) => bob.frames.indexOf(frame) > bob.frames.findIndex(presence([], ['alice'])) && presence(['alice'], [])(frame), 10_000);
    expect(await client.hget('pw:peer:alice', 'node')).toBe(nodeOne);
    bob.send({ type: 'OFFER', dst: 'alice', payload: { sdp: 'x' } });
    const offer = await alice.next((frame) => frame.type === 'OFFER');
    expect(offer.src).toBe('bob');
  }, 30_000);
});
