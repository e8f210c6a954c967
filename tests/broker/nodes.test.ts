import { describe, expect, it } from 'vitest';
import { PASSWORD, RawPeer, account, bearer, createAccount, errorMessage, ofType, postFrom, signIn, startBroker, type TestBroker } from './helpers';
import { presence, useTwoNodes } from './two-nodes';

// Two real broker nodes on one Redis and one SQLite data dir (WAL), as in docs/broker.md#several-nodes.
const { nodes, online, track } = useTwoNodes();

/** alice on node one and bob on node two, each listing the other. */
async function friendsOnTwoNodes(): Promise<{ alice: RawPeer; bob: RawPeer }> {
  const alice = await online(nodes.one, 'alice', await account(nodes.one.app, 'alice'));
  const bob = await online(nodes.two, 'bob', await account(nodes.two.app, 'bob'));
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
    const mallory = await online(nodes.one, 'mallory', await account(nodes.one.app, 'mallory'));
    const { bob } = await friendsOnTwoNodes();
    mallory.send({ type: 'OFFER', dst: 'bob', payload: {} });
    mallory.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'mark', body: null } });
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.some(ofType('OFFER'))).toBe(false);
  });

  it('relay a friend request to another node, and tell a listed friend "delivered" and a stranger "accepted"', async () => {
    const carol = await online(nodes.one, 'carol', await account(nodes.one.app, 'carol'));
    const { alice, bob } = await friendsOnTwoNodes();
    carol.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-1', body: { kind: 'friend-request' } } });
    expect(await bob.next(ofType('PW_RELAY'))).toEqual({ type: 'PW_RELAY', src: 'carol', payload: { id: 'req-1', body: { kind: 'friend-request' } } });
    expect((await carol.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'req-1', dst: 'bob', status: 'accepted' });
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'hi', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'hi', dst: 'bob', status: 'delivered' });
  });

  it('keep a relay for an offline handle in Redis and deliver it right after OPEN on the other node', async () => {
    const alice = await online(nodes.one, 'alice', await account(nodes.one.app, 'alice'));
    const bobToken = await account(nodes.two.app, 'bob');
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-2', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    const bob = await online(nodes.two, 'bob', bobToken);
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.slice(0, 2)).toEqual([{ type: 'OPEN' }, { type: 'PW_RELAY', src: 'alice', payload: { id: 'req-2', body: 'hi' } }]);
  });

  it('keep relays for offline handles through a restart of every node', async () => {
    const alice = await online(nodes.one, 'alice', await account(nodes.one.app, 'alice'));
    const bobToken = await account(nodes.one.app, 'bob');
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-3', body: 'still here' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    await nodes.two.close({ keepData: true });
    await nodes.one.close({ keepData: true });
    nodes.one = await startBroker({ redisUrl: nodes.redisUrl, dataDir: nodes.one.config.dataDir });
    nodes.two = await startBroker({ redisUrl: nodes.redisUrl, dataDir: nodes.one.config.dataDir });
    const bob = await online(nodes.two, 'bob', bobToken);
    expect(await bob.next(ofType('PW_RELAY'))).toEqual({ type: 'PW_RELAY', src: 'alice', payload: { id: 'req-3', body: 'still here' } });
  });

  it('end the older socket on node one with signed_in_elsewhere exactly once when alice signs in again on node two', async () => {
    await createAccount(nodes.one.app, 'alice');
    const first = await signIn(nodes.one.app, 'alice');
    const older = await online(nodes.one, 'alice', first);
    const newer = await online(nodes.two, 'alice', await signIn(nodes.two.app, 'alice'));
    const error = await older.next(ofType('ERROR'));
    expect(errorMessage(error).startsWith('signed_in_elsewhere: ')).toBe(true);
    await older.closed;
    expect(older.frames.filter(ofType('ERROR'))).toHaveLength(1);
    // The older session cannot flap back on either node while the newer one is live.
    for (const node of [nodes.one, nodes.two]) {
      const again = track(RawPeer.connect(node.wsUrl('alice', first)));
      expect(errorMessage(await again.next(ofType('ERROR')))).toMatch(/^signed_in_elsewhere: /);
    }
    expect(newer.socket.readyState).toBe(newer.socket.OPEN);
    expect(newer.frames.some(ofType('ERROR'))).toBe(false);
  });

  it('end the socket on node two with auth_revoked when the password changes on node one', async () => {
    const token = await account(nodes.one.app, 'alice');
    const alice = await online(nodes.two, 'alice', token);
    const response = await nodes.one.app.inject({
      method: 'POST',
      url: '/api/accounts/me/password',
      headers: bearer(token),
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
    });
    expect(response.statusCode).toBe(200);
    expect(errorMessage(await alice.next(ofType('ERROR')))).toMatch(/^auth_revoked: /);
  });

  it('count failed sign-ins over both nodes', async () => {
    await createAccount(nodes.one.app, 'alice');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const node = i % 2 === 0 ? nodes.one : nodes.two;
      statuses.push((await postFrom('127.0.0.3', `${node.url}/api/sessions`, { handle: 'alice', password: 'wrong password!' })).status);
    }
    // 5 free failures, the 6th starts a 1 s wait, which the 7th meets on the other node.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });

  it('count PW_RELAYs per sender over both nodes (30 a minute)', async () => {
    const token = await account(nodes.one.app, 'alice');
    await account(nodes.one.app, 'bob');
    const send = async (peer: RawPeer, from: number, to: number) => {
      for (let i = from; i < to; i++) peer.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: `m${i}`, body: i } });
      const last = await peer.next((frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id: string }).id === `m${to - 1}`);
      return (last.payload as { status: string; reason?: string });
    };
    const first = await online(nodes.one, 'alice', token);
    expect(await send(first, 0, 20)).toMatchObject({ status: 'accepted' });
    first.close();
    await first.closed;
    const again = await online(nodes.two, 'alice', token); // the client reconnected through the load balancer
    expect(await send(again, 20, 30)).toMatchObject({ status: 'accepted' });
    expect(await send(again, 30, 31)).toEqual({ id: 'm30', dst: 'bob', status: 'rejected', reason: 'rate_limited' });
  });

  it('count new accounts per address over both nodes', async () => {
    await nodes.two.close({ keepData: true });
    nodes.two = await startBroker({ redisUrl: nodes.redisUrl, dataDir: nodes.one.config.dataDir, registerRateLimit: 2 });
    await nodes.one.close({ keepData: true });
    nodes.one = await startBroker({ redisUrl: nodes.redisUrl, dataDir: nodes.two.config.dataDir, registerRateLimit: 2 });
    const register = (node: TestBroker, handle: string) => postFrom('127.0.0.4', `${node.url}/api/accounts`, { handle, password: PASSWORD });
    expect((await register(nodes.one, 'first')).status).toBe(201);
    expect((await register(nodes.two, 'second')).status).toBe(201);
    const third = await register(nodes.one, 'third');
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
  });
});
