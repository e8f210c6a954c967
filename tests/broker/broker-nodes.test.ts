import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrokerNodes, type LocalNodes } from '../../scripts/broker-nodes/launch';
import { nginxConfig } from '../../scripts/broker-nodes/nginx-config';
import { PASSWORD, RawPeer, type Frame } from './helpers';

// npm run broker:nodes (scripts/broker-nodes.ts): PostgreSQL, Redis, three real node processes and a real nginx
// on loopback, reached only through nginx, as a client behind a load balancer would.
let local: LocalNodes;
let redis: Redis;
const peers: RawPeer[] = [];
const tokens: Record<string, string> = {};
/** The two sockets of the relay test, on different nodes. */
let alice: RawPeer;
let bob: RawPeer;

beforeAll(async () => {
  local = await launchBrokerNodes({ env: { BCRYPT_COST: '4', LOG_LEVEL: 'info' } });
  redis = new Redis(local.redis.url);
}, 120_000);

afterAll(async () => {
  for (const peer of peers) peer.close();
  redis?.disconnect();
  await local?.stop();
}, 60_000);

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${local.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** A signalling socket through nginx; resolves once the broker sent OPEN. */
async function online(handle: string): Promise<RawPeer> {
  const query = new URLSearchParams({ key: 'peerjs', id: handle, token: tokens[handle]! });
  const peer = RawPeer.connect(`${local.url.replace('http:', 'ws:')}/peerjs?${query.toString()}`);
  peers.push(peer);
  await peer.opened();
  return peer;
}

/** The Redis id of the node holding `handle`'s live socket. */
const nodeOf = async (handle: string) => redis.hget(`pw:peer:${handle}`, 'node');

const isPresence = (online: string) => (frame: Frame) =>
  frame.type === 'PW_PRESENCE' && (frame.payload as { online: string[] }).online.includes(online);

describe('npm run broker:nodes', () => {
  it('runs nginx from deploy/nginx.conf, changing only where it listens and where the nodes are', () => {
    const site = readFileSync(new URL('../../deploy/nginx.conf', import.meta.url), 'utf8');
    const generated = readFileSync(`${local.dir}/nginx.conf`, 'utf8');
    const directives = (text: string) =>
      text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#') && !/^(server|listen) /.test(line));
    for (const line of directives(site)) expect(generated).toContain(line);
    expect(generated).toContain(`listen ${local.url.replace('http://', '')};`);
    for (const node of local.nodes) expect(generated).toContain(`server 127.0.0.1:${node.port} max_fails=1 fail_timeout=5s;`);
    expect(() => nginxConfig({ port: 1, upstreams: [1, 2], dir: local.dir })).toThrow(/lists 3 upstream servers/);
  });

  it('signs up and signs in through nginx', async () => {
    for (const handle of ['alice', 'bob']) {
      expect(await post('/api/accounts', { handle, password: PASSWORD })).toMatchObject({ status: 201 });
      const session = await post('/api/sessions', { handle, password: PASSWORD });
      expect(session).toMatchObject({ status: 200, body: { handle } });
      tokens[handle] = (session.body as { token: string }).token;
    }
    expect(await post('/api/sessions', { handle: 'alice', password: 'not the password' })).toMatchObject({ status: 401 });
  });

  it('upgrades sockets on any node without sticky sessions, and relays between two on different nodes', async () => {
    alice = await online('alice');
    bob = await online('bob');
    // Round-robin: a socket that shares alice's node is opened again until it lands elsewhere.
    for (let attempt = 0; (await nodeOf('bob')) === (await nodeOf('alice')); attempt++) {
      expect(attempt).toBeLessThan(6);
      bob.close();
      await bob.closed;
      bob = await online('bob');
    }
    const ids = local.nodes.map((node) => node.id);
    expect(ids).toContain(await nodeOf('alice'));
    expect(ids).toContain(await nodeOf('bob'));

    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await alice.next(isPresence('bob'), 5_000);
    await bob.next(isPresence('alice'), 5_000);
    alice.send({ type: 'OFFER', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    expect(await bob.next((frame) => frame.type === 'OFFER')).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    bob.send({ type: 'ANSWER', dst: 'alice', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    expect(await alice.next((frame) => frame.type === 'ANSWER')).toMatchObject({ src: 'bob', dst: 'alice' });
  }, 60_000);

  it('brings a client back online through nginx after the node holding it is killed with SIGKILL', async () => {
    const aliceNode = await nodeOf('alice');
    const victim = local.nodes.find((node) => node.id === aliceNode)!;
    await victim.kill();
    expect(await alice.closed).toBeDefined();

    // nginx tries the dead node, fails to connect, and passes the upgrade to the next one (proxy_next_upstream).
    const again = await online('alice');
    const now = await nodeOf('alice');
    expect(now).not.toBe(victim.id);
    expect(local.nodes.filter((node) => node.running).map((node) => node.id)).toContain(now);
    again.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await again.next(isPresence('bob'), 5_000);
    again.send({ type: 'OFFER', dst: 'bob', payload: { sdp: 'v=1', connectionId: 'dc_2' } });
    await bob.next((frame) => frame.type === 'OFFER' && (frame.payload as { connectionId: string }).connectionId === 'dc_2', 5_000);
    // Health through nginx stays good: it skips the dead node.
    for (let i = 0; i < 4; i++) expect((await fetch(`${local.url}/health`)).status).toBe(200);
  }, 60_000);
});

describe('npm run broker:nodes on Ctrl-C', () => {
  it('stops every process it started and removes its temp directory', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/broker-nodes.ts'], {
      env: { ...process.env, BCRYPT_COST: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, { timeout: 90_000, interval: 200 }).toMatch(/Press Ctrl-C/);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const dir = /config and logs in (\S+)/.exec(output)![1]!;
    const ports = [...output.matchAll(/node \d: http:\/\/127\.0\.0\.1:(\d+)/g)].map((match) => match[1]);
    expect(ports).toHaveLength(3);
    const [, postgresPort, redisPort] = /PostgreSQL on port (\d+), Redis at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)!;
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped; the temp directories are removed.');
    expect(existsSync(dir)).toBe(false);
    for (const port of [new URL(url).port, ...ports]) await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    for (const port of [postgresPort, redisPort]) expect(await accepts(Number(port))).toBe(false);
  }, 120_000);
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
