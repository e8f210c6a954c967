import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, RawPeer, account, bearer, createAccount, errorMessage, ofType, postFrom, signIn, startBroker, type Frame, type TestBroker } from './helpers';
import { flushRedis, startRedis, type TestRedis } from '../support/redis-server';

// Two real broker nodes on one Redis and one SQLite data dir (WAL), as in docs/broker.md#several-nodes.
let redis: TestRedis;
let one: TestBroker;
let two: TestBroker;
const peers: RawPeer[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.close();
});
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

/** alice on node one and bob on node two, each listing the other. */
async function friendsOnTwoNodes(): Promise<{ alice: RawPeer; bob: RawPeer }> {
  const alice = await online(one, 'alice', await account(one.app, 'alice'));
  const bob = await online(two, 'bob', await account(two.app, 'bob'));
  alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
  await alice.next(presence([], []));
  bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
  await bob.next(presence(['alice'], []));
  await alice.next(presence(['bob'], []));
  return { alice, bob };
}

describe('two broker nodes on one Redis', () => {
  it('tell friends on different nodes that each is online, and when one goes offline', async () => {
    const { alice, bob } = await friendsOnTwoNodes();
    bob.close();
    await alice.next(presence([], ['bob']));
  });

  it('carry OFFER, ANSWER and CANDIDATE between friends on different nodes with the true src', async () => {
    const { alice, bob } = await friendsOnTwoNodes();
    alice.send({ type: 'OFFER', src: 'mallory', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    expect(await bob.next(ofType('OFFER'))).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    bob.send({ type: 'ANSWER', dst: 'alice', payload: { sdp: 'v=0 answer' } });
    expect(await alice.next(ofType('ANSWER'))).toEqual({ type: 'ANSWER', src: 'bob', dst: 'alice', payload: { sdp: 'v=0 answer' } });
    alice.send({ type: 'CANDIDATE', dst: 'bob', payload: { candidate: 'c1' } });
    expect((await bob.next(ofType('CANDIDATE'))).payload).toEqual({ candidate: 'c1' });
  });

  it('drop signals from a handle that is not on the allowlist of a peer on another node', async () => {
    const mallory = await online(one, 'mallory', await account(one.app, 'mallory'));
    const { bob } = await friendsOnTwoNodes();
    mallory.send({ type: 'OFFER', dst: 'bob', payload: {} });
    mallory.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'mark', body: null } });
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.some(ofType('OFFER'))).toBe(false);
  });

  it('relay a friend request to another node, and tell a listed friend "delivered" and a stranger "accepted"', async () => {
    const carol = await online(one, 'carol', await account(one.app, 'carol'));
    const { alice, bob } = await friendsOnTwoNodes();
    carol.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-1', body: { kind: 'friend-request' } } });
    expect(await bob.next(ofType('PW_RELAY'))).toEqual({ type: 'PW_RELAY', src: 'carol', payload: { id: 'req-1', body: { kind: 'friend-request' } } });
    expect((await carol.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'req-1', dst: 'bob', status: 'accepted' });
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'hi', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'hi', dst: 'bob', status: 'delivered' });
  });

  it('keep a relay for an offline handle in Redis and deliver it right after OPEN on the other node', async () => {
    const alice = await online(one, 'alice', await account(one.app, 'alice'));
    const bobToken = await account(two.app, 'bob');
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-2', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    const bob = await online(two, 'bob', bobToken);
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.slice(0, 2)).toEqual([{ type: 'OPEN' }, { type: 'PW_RELAY', src: 'alice', payload: { id: 'req-2', body: 'hi' } }]);
  });

  it('keep relays for offline handles through a restart of every node', async () => {
    const alice = await online(one, 'alice', await account(one.app, 'alice'));
    const bobToken = await account(one.app, 'bob');
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-3', body: 'still here' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    await two.close({ keepData: true });
    await one.close({ keepData: true });
    one = await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir });
    two = await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir });
    const bob = await online(two, 'bob', bobToken);
    expect(await bob.next(ofType('PW_RELAY'))).toEqual({ type: 'PW_RELAY', src: 'alice', payload: { id: 'req-3', body: 'still here' } });
  });

  it('end the older socket on node one with signed_in_elsewhere exactly once when alice signs in again on node two', async () => {
    await createAccount(one.app, 'alice');
    const first = await signIn(one.app, 'alice');
    const older = await online(one, 'alice', first);
    const newer = await online(two, 'alice', await signIn(two.app, 'alice'));
    const error = await older.next(ofType('ERROR'));
    expect(errorMessage(error).startsWith('signed_in_elsewhere: ')).toBe(true);
    await older.closed;
    expect(older.frames.filter(ofType('ERROR'))).toHaveLength(1);
    // The older session cannot flap back on either node while the newer one is live.
    for (const node of [one, two]) {
      const again = RawPeer.connect(node.wsUrl('alice', first));
      peers.push(again);
      expect(errorMessage(await again.next(ofType('ERROR')))).toMatch(/^signed_in_elsewhere: /);
    }
    expect(newer.socket.readyState).toBe(newer.socket.OPEN);
    expect(newer.frames.some(ofType('ERROR'))).toBe(false);
  });

  it('end the socket on node two with auth_revoked when the password changes on node one', async () => {
    const token = await account(one.app, 'alice');
    const alice = await online(two, 'alice', token);
    const response = await one.app.inject({
      method: 'POST',
      url: '/api/accounts/me/password',
      headers: bearer(token),
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
    });
    expect(response.statusCode).toBe(200);
    expect(errorMessage(await alice.next(ofType('ERROR')))).toMatch(/^auth_revoked: /);
  });

  it('count failed sign-ins over both nodes', async () => {
    await createAccount(one.app, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const node = i % 2 === 0 ? one : two;
      statuses.push((await postFrom('127.0.0.3', `${node.url}/api/sessions`, { handle: 'alice', password: 'wrong password!' })).status);
    }
    // 5 free failures, the 6th starts a 1 s wait, which the 7th meets on the other node.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('count PW_RELAYs per sender over both nodes (30 a minute)', async () => {
    const token = await account(one.app, 'alice');
    await account(one.app, 'bob');
    const send = async (peer: RawPeer, from: number, to: number) => {
      for (let i = from; i < to; i++) peer.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: `m${i}`, body: i } });
      const last = await peer.next((frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id: string }).id === `m${to - 1}`);
      return (last.payload as { status: string; reason?: string });
    };
    const first = await online(one, 'alice', token);
    expect(await send(first, 0, 20)).toMatchObject({ status: 'accepted' });
    first.close();
    await first.closed;
    const again = await online(two, 'alice', token); // the client reconnected through the load balancer
    expect(await send(again, 20, 30)).toMatchObject({ status: 'accepted' });
    expect(await send(again, 30, 31)).toEqual({ id: 'm30', dst: 'bob', status: 'rejected', reason: 'rate_limited' });
  });

  it('count new accounts per address over both nodes', async () => {
    await two.close({ keepData: true });
    two = await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir, registerRateLimit: 2 });
    await one.close({ keepData: true });
    one = await startBroker({ redisUrl: redis.url, dataDir: two.config.dataDir, registerRateLimit: 2 });
    const register = (node: TestBroker, handle: string) => postFrom('127.0.0.4', `${node.url}/api/accounts`, { handle, password: PASSWORD });
    expect((await register(one, 'first')).status).toBe(201);
    expect((await register(two, 'second')).status).toBe(201);
    const third = await register(one, 'third');
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
  });
});
