import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, createAccount, errorMessage, ofType, signIn, startBroker, type Frame, type TestBroker } from './helpers';
import { startRedis, type TestRedis } from '../support/redis-server';

// 200 sockets on two nodes while their Redis stops and comes back empty (no persistence, like a crash).
const PAIRS = 100;
let redis: TestRedis;
let one: TestBroker;
let two: TestBroker;
const sockets: Array<{ handle: string; friend: string; peer: RawPeer }> = [];

const left = (i: number) => `l${i}`;
const right = (i: number) => `r${i}`;
const hasPresence = (online: string[], offline: string[]) => (frame: Frame) =>
  frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === JSON.stringify({ online, offline });

beforeAll(async () => {
  redis = await startRedis();
  one = await startBroker({ redisUrl: redis.url, registerRateLimit: 1_000 });
  two = await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir, registerRateLimit: 1_000 });
  for (let i = 0; i < PAIRS; i++) {
    for (const [node, handle, friend] of [
      [one, left(i), right(i)],
      [two, right(i), left(i)],
    ] as const) {
      await createAccount(node.app, handle);
      const peer = RawPeer.connect(node.wsUrl(handle, await signIn(node.app, handle)));
      await peer.opened();
      peer.send({ type: 'PW_ALLOW', payload: { handles: [friend] } });
      sockets.push({ handle, friend, peer });
    }
  }
  for (const { friend, peer } of sockets) await peer.next(hasPresence([friend], []), 10_000);
}, 120_000);

afterAll(async () => {
  for (const { peer } of sockets) peer.close();
  await two?.close({ keepData: true });
  await one?.close({ keepData: true });
  if (one) rmSync(one.config.dataDir, { recursive: true, force: true });
  await redis.close();
});

describe('Redis stopped and started again under 200 connected sockets', () => {
  it('keeps both nodes up with clear refusals while it is away, then serves everyone again', async () => {
    await redis.stop();

    for (const node of [one, two]) {
      const health = await fetch(`${node.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', accounts: 'up', redis: 'down' });
      const signInWhileAway = await node.app.inject({ method: 'POST', url: '/api/sessions', payload: { handle: 'l0', password: 'correct horse battery' } });
      expect(signInWhileAway.statusCode).toBe(503);
      expect(signInWhileAway.json()).toMatchObject({ error: { code: 'unavailable' } });
      expect(signInWhileAway.headers['retry-after']).toBe('5');
    }
    const token = (await one.app.inject({ method: 'POST', url: '/api/sessions/refresh', headers: { authorization: `Bearer ${await tokenOf('l0')}` } })).json() as { token: string };
    const newcomer = RawPeer.connect(one.wsUrl('l0', token.token));
    expect(errorMessage(await newcomer.next(ofType('ERROR'), 5_000))).toMatch(/^unavailable: /);
    // A relay to another node cannot be carried now: the sender is told to try again later.
    const [first] = sockets;
    first!.peer.send({ type: 'PW_RELAY', dst: first!.friend, payload: { id: 'while-away', body: null } });
    const refused = await first!.peer.next((frame) => frame.type === 'PW_RELAY_STATUS' && JSON.stringify(frame.payload).includes('while-away'));
    expect(refused.payload).toMatchObject({ status: 'rejected', reason: 'queue_full' });
    expect(sockets.every(({ peer }) => peer.socket.readyState === peer.socket.OPEN)).toBe(true);

    await redis.start();

    // Every socket is claimed again and its allowlist published: a relay to each friend is delivered.
    for (const { handle, friend, peer } of sockets) {
      const id = `after-${handle}`;
      await expect
        .poll(
          async () => {
            peer.send({ type: 'PW_RELAY', dst: friend, payload: { id, body: null } });
            const status = await peer.next((frame) => frame.type === 'PW_RELAY_STATUS' && JSON.stringify(frame.payload).includes(`"${id}"`));
            peer.frames.splice(peer.frames.indexOf(status), 1);
            return (status.payload as { status: string }).status;
          },
          { timeout: 15_000, interval: 200 },
        )
        .toBe('delivered');
    }
    // Presence works again across nodes: a friend who leaves is reported offline.
    const [l0, r0] = sockets;
    r0!.peer.close();
    await l0!.peer.next(hasPresence([], [r0!.handle]), 10_000);
    // And new sign-ins and sockets are served.
    const again = RawPeer.connect(two.wsUrl('r0', await signIn(two.app, 'r0')));
    sockets.push({ handle: 'r0', friend: 'l0', peer: again });
    await again.opened();
    for (const node of [one, two]) {
      await expect.poll(async () => (await fetch(`${node.url}/health`)).json(), { timeout: 5_000 }).toEqual({ status: 'ok', accounts: 'up', redis: 'up' });
    }
  }, 90_000);
});

/** A token for `handle` signed by node one without asking Redis (the refresh route needs no throttle). */
async function tokenOf(handle: string): Promise<string> {
  return one.app.tokens.issue(one.app.tokens.startSession(handle, 1)).token;
}
