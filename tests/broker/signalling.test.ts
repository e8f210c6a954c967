import { createHmac } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawPeer, account, bearer, errorMessage, ofType, signIn, startBroker, type TestBroker } from './helpers';

let broker: TestBroker;
const peers: RawPeer[] = [];

function connect(id: string, token: string | undefined, key?: string): RawPeer {
  const peer = RawPeer.connect(broker.wsUrl(id, token, key));
  peers.push(peer);
  return peer;
}

async function online(handle: string, token: string): Promise<RawPeer> {
  const peer = connect(handle, token);
  await peer.opened();
  return peer;
}

/** The socket got ERROR `code` and was closed; `wasOpen` for a socket that had been live. */
async function expectRefused(peer: RawPeer, code: string, wasOpen = false): Promise<void> {
  const error = await peer.next(ofType('ERROR'));
  expect(errorMessage(error).startsWith(`${code}: `)).toBe(true);
  await peer.closed;
  expect(peer.frames.some(ofType('OPEN'))).toBe(wasOpen);
  expect(peer.frames.at(-1)).toBe(error);
}

/** A PW_RELAY sent after `frames` marks the point by which the broker has handled them. */
async function sendThenMark(from: RawPeer, to: RawPeer, dst: string, frames: unknown[]): Promise<void> {
  for (const frame of frames) from.send(frame);
  const id = `mark-${Math.random()}`;
  from.send({ type: 'PW_RELAY', dst, payload: { id, body: null } });
  await to.next((frame) => frame.type === 'PW_RELAY' && (frame.payload as { id: string }).id === id);
}

beforeEach(async () => {
  broker = await startBroker();
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await broker.close();
});

describe('connecting', () => {
  it('opens a socket for a valid token whose sub is the id', async () => {
    const token = await account(broker.app, 'alice');
    const peer = connect('alice', token);
    await peer.opened();
    expect(peer.frames[0]).toEqual({ type: 'OPEN' });
  });

  it.each([
    ['no token', () => undefined, 'auth_missing'],
    ['a garbage token', () => 'not.a.jwt', 'auth_invalid'],
    ['a token signed with another secret', () => forge({ secret: 'x'.repeat(40) }), 'auth_invalid'],
    ['an "alg: none" token', () => unsigned(), 'auth_invalid'],
    ['an HS512 token with the right secret', () => forge({ algorithm: 'HS512' }), 'auth_invalid'],
    ['an expired token', () => forge({ exp: Math.floor(Date.now() / 1000) - 10 }), 'auth_expired'],
    ['a token of an old token version', () => forge({ ver: 0 }), 'auth_revoked'],
  ])('refuses %s with its code and never opens', async (_name, makeToken, code) => {
    await account(broker.app, 'alice');
    await expectRefused(connect('alice', makeToken()), code);
  });

  it("refuses someone else's token with id_mismatch", async () => {
    await account(broker.app, 'alice');
    const bobToken = await account(broker.app, 'bob');
    await expectRefused(connect('alice', bobToken), 'id_mismatch');
  });

  it('refuses a wrong PeerJS key', async () => {
    const token = await account(broker.app, 'alice');
    await expectRefused(connect('alice', token, 'other'), 'invalid_key');
  });

  it('refuses connections beyond the configured limit with server_full', async () => {
    await broker.close();
    broker = await startBroker({ maxConnections: 1 });
    await online('alice', await account(broker.app, 'alice'));
    await expectRefused(connect('bob', await account(broker.app, 'bob')), 'server_full');
  });

  it('answers upgrades on other paths with 404', async () => {
    const peer = RawPeer.connect(broker.url.replace('http', 'ws') + '/elsewhere');
    const status = await new Promise<number | undefined>((resolve) =>
      peer.socket.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(404);
  });
});

describe('one live socket per handle', () => {
  it('lets a newer sign-in replace the older socket, which is told signed_in_elsewhere', async () => {
    await account(broker.app, 'alice');
    const first = await signIn(broker.app, 'alice');
    const older = await online('alice', first);
    const newer = await online('alice', await signIn(broker.app, 'alice'));
    await expectRefused(older, 'signed_in_elsewhere', true);
    expect(newer.socket.readyState).toBe(newer.socket.OPEN);
  });

  it('refuses a reconnect of the older session while the newer one is live, so devices cannot flap', async () => {
    await account(broker.app, 'alice');
    const first = await signIn(broker.app, 'alice');
    await online('alice', first);
    const second = await signIn(broker.app, 'alice');
    const newer = await online('alice', second);
    await expectRefused(connect('alice', first), 'signed_in_elsewhere');
    // A refreshed token of the old session is still the old session.
    const refreshed = await broker.app.inject({ method: 'POST', url: '/api/sessions/refresh', headers: bearer(first) });
    await expectRefused(connect('alice', (refreshed.json() as { token: string }).token), 'signed_in_elsewhere');
    expect(newer.socket.readyState).toBe(newer.socket.OPEN);
  });

  it('lets a reconnect of the same session replace its own stale socket', async () => {
    const token = await account(broker.app, 'alice');
    const stale = await online('alice', token);
    await online('alice', token);
    await expectRefused(stale, 'signed_in_elsewhere', true);
  });

  it('lets the older session back in once the newer one has gone', async () => {
    await account(broker.app, 'alice');
    const first = await signIn(broker.app, 'alice');
    const newer = await online('alice', await signIn(broker.app, 'alice'));
    newer.close();
    await newer.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await online('alice', first);
  });
});

describe('relaying PeerJS messages', () => {
  it('delivers an OFFER from an allowed handle with the true src, whatever src the sender claims', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'], blocked: [] } });
    await bob.next(ofType('PW_PRESENCE'));
    alice.send({ type: 'OFFER', src: 'mallory', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
    const offer = await bob.next(ofType('OFFER'));
    expect(offer).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
  });

  it('drops OFFER, ANSWER, CANDIDATE and LEAVE from a handle not on the allowlist', async () => {
    const mallory = await online('mallory', await account(broker.app, 'mallory'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'], blocked: [] } });
    await bob.next(ofType('PW_PRESENCE'));
    const signals = ['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE'].map((type) => ({ type, dst: 'bob', payload: {} }));
    await sendThenMark(mallory, bob, 'bob', signals);
    expect(bob.frames.map((frame) => frame.type)).toEqual(['OPEN', 'PW_PRESENCE', 'PW_RELAY']);
  });

  it('drops offers and relays from a blocked handle even if it is also allowed, and tells it "accepted"', async () => {
    const mallory = await online('mallory', await account(broker.app, 'mallory'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['mallory'], blocked: ['mallory'] } });
    await bob.next(ofType('PW_PRESENCE'));
    mallory.send({ type: 'OFFER', dst: 'bob', payload: {} });
    mallory.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'r1', body: 'hello' } });
    expect((await mallory.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    // Anything the broker had sent bob for mallory would now be ahead of this answer.
    bob.send({ type: 'PW_ALLOW', payload: { handles: [], blocked: ['mallory'] } });
    await bob.next(() => bob.frames.filter(ofType('PW_PRESENCE')).length === 2);
    expect(bob.frames.map((frame) => frame.type)).toEqual(['OPEN', 'PW_PRESENCE', 'PW_PRESENCE']);
  });
});

describe('Peerwall messages', () => {
  it('relays PW_RELAY between strangers and reports it accepted', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-1', body: { kind: 'friend-request' } } });
    expect(await bob.next(ofType('PW_RELAY'))).toEqual({
      type: 'PW_RELAY',
      src: 'alice',
      payload: { id: 'req-1', body: { kind: 'friend-request' } },
    });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'req-1', dst: 'bob', status: 'accepted' });
  });

  it('queues a relay for an offline handle and delivers it right after OPEN', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bobToken = await account(broker.app, 'bob');
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-2', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    const bob = await online('bob', bobToken);
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.slice(0, 2)).toEqual([{ type: 'OPEN' }, { type: 'PW_RELAY', src: 'alice', payload: { id: 'req-2', body: 'hi' } }]);
  });

  it.each([
    ['a missing id', { dst: 'bob', payload: { body: 1 } }, 'invalid'],
    ['an id over 64 characters', { dst: 'bob', payload: { id: 'x'.repeat(65), body: 1 } }, 'invalid'],
    ['a non-canonical dst', { dst: 'Bob', payload: { id: 'a', body: 1 } }, 'invalid'],
    ['itself as dst', { dst: 'alice', payload: { id: 'a', body: 1 } }, 'invalid'],
    ['a payload over 4 KiB', { dst: 'bob', payload: { id: 'a', body: 'x'.repeat(4100) } }, 'too_large'],
    ['an unknown handle', { dst: 'nobody', payload: { id: 'a', body: 1 } }, 'unknown_handle'],
  ])('rejects a PW_RELAY with %s', async (_name, frame, reason) => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    await account(broker.app, 'bob');
    alice.send({ type: 'PW_RELAY', ...frame });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'rejected', reason });
  });

  it('rate-limits PW_RELAY to 30 a minute per sender', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    await online('bob', await account(broker.app, 'bob'));
    for (let i = 0; i < 31; i++) alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: `m${i}`, body: i } });
    const last = await alice.next((frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id: string }).id === 'm30');
    expect(last.payload).toMatchObject({ status: 'rejected', reason: 'rate_limited' });
    const statuses = alice.frames.filter(ofType('PW_RELAY_STATUS')).map((frame) => (frame.payload as { status: string }).status);
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(30);
  });

  it('tells a stranger the same whether the handle is online, offline or blocks it, and only a listed friend "delivered"', async () => {
    const mallory = await online('mallory', await account(broker.app, 'mallory'));
    const aliceToken = await account(broker.app, 'alice');
    const bobToken = await account(broker.app, 'bob');
    const statusOf = async (peer: RawPeer, dst: string, id: string) => {
      peer.send({ type: 'PW_RELAY', dst, payload: { id, body: 'hi' } });
      const frame = await peer.next((f) => f.type === 'PW_RELAY_STATUS' && (f.payload as { id: string }).id === id);
      return (frame.payload as { status: string }).status;
    };
    const whileOffline = await statusOf(mallory, 'bob', 'offline');
    const bob = await online('bob', bobToken);
    const whileOnline = await statusOf(mallory, 'bob', 'online');
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'], blocked: ['mallory'] } });
    await bob.next(ofType('PW_PRESENCE'));
    const whileBlocked = await statusOf(mallory, 'bob', 'blocked');
    expect([whileOffline, whileOnline, whileBlocked]).toEqual(['accepted', 'accepted', 'accepted']);

    const alice = await online('alice', aliceToken); // bob lists alice: she may know he got it
    expect(await statusOf(alice, 'bob', 'friend')).toBe('delivered');
    expect(bob.frames.filter(ofType('PW_RELAY')).map((f) => (f.payload as { id: string }).id)).toEqual(['offline', 'online', 'friend']);
  });

  it('lets two throwaway accounts flooding an offline handle never crowd out a real friend’s request', async () => {
    const bobToken = await account(broker.app, 'bob');
    const alice = await online('alice', await account(broker.app, 'alice'));
    for (const name of ['s1', 's2']) {
      const spammer = await online(name, await account(broker.app, name));
      for (let i = 0; i < 30; i++) spammer.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: `${name}-${i}`, body: i } });
      await spammer.next((f) => f.type === 'PW_RELAY_STATUS' && (f.payload as { id: string }).id === `${name}-29`);
    }
    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'real', body: 'friend request' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'accepted' });
    const bob = await online('bob', bobToken);
    await bob.next((f) => f.type === 'PW_RELAY' && f.src === 'alice');
    expect(bob.frames.filter(ofType('PW_RELAY')).length).toBeLessThanOrEqual(9);
  });

  it('tells mutual friends about each other and nobody else', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    const carol = await online('carol', await account(broker.app, 'carol'));
    carol.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await carol.next(ofType('PW_PRESENCE'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    expect((await alice.next(ofType('PW_PRESENCE'))).payload).toEqual({ online: [], offline: [] });
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    expect((await bob.next(ofType('PW_PRESENCE'))).payload).toEqual({ online: ['alice'], offline: [] });
    await alice.next(() => alice.frames.filter(ofType('PW_PRESENCE')).length === 2);
    expect(alice.frames.filter(ofType('PW_PRESENCE')).map((frame) => frame.payload)).toEqual([
      { online: [], offline: [] },
      { online: ['bob'], offline: [] },
    ]);
    bob.close();
    await alice.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === '{"online":[],"offline":["bob"]}');
    // carol lists alice, but alice does not list carol: nothing about alice reaches carol.
    expect(carol.frames.filter(ofType('PW_PRESENCE')).map((frame) => frame.payload)).toEqual([{ online: [], offline: [] }]);
  });
});

describe('allowlists', () => {
  it('reports a friend offline when they drop you from their allowlist, and stops their offers', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next(ofType('PW_PRESENCE'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await alice.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === '{"online":["bob"],"offline":[]}');
    alice.send({ type: 'PW_ALLOW', payload: { handles: [] } });
    await bob.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === '{"online":[],"offline":["alice"]}');
    await sendThenMark(bob, alice, 'alice', [{ type: 'OFFER', dst: 'alice', payload: {} }]);
    expect(alice.frames.some(ofType('OFFER'))).toBe(false);
  });

  it.each([
    ['a non-canonical handle', { handles: ['Bob'] }],
    ['more than 5 000 handles', { handles: Array.from({ length: 5_001 }, (_, i) => `h${i}`) }],
    ['a list that is not an array', { handles: 'bob' }],
  ])('ignores a PW_ALLOW with %s as a whole', async (_name, payload) => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next(ofType('PW_PRESENCE'));
    alice.send({ type: 'PW_ALLOW', payload });
    await sendThenMark(bob, alice, 'alice', [{ type: 'OFFER', dst: 'alice', payload: { still: 'allowed' } }]);
    expect(alice.frames.filter(ofType('PW_PRESENCE'))).toHaveLength(1);
    expect(alice.frames.find(ofType('OFFER'))?.payload).toEqual({ still: 'allowed' });
  });
});

describe('bounds', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('rejects a PW_RELAY nested too deep to serialize as invalid, and stays up', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    alice.socket.send(`{"type":"PW_RELAY","dst":"bob","payload":{"id":"deep","body":${nested(6_000)}}}`);
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toEqual({ id: 'deep', dst: 'bob', status: 'rejected', reason: 'invalid' });
    await sendThenMark(alice, bob, 'bob', []);
    expect((await fetch(`${broker.url}/health`)).status).toBe(200);
  });

  it('drops a signal nested too deep to serialize, even from an allowed handle, and stays up', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(ofType('PW_PRESENCE'));
    alice.socket.send(`{"type":"OFFER","dst":"bob","payload":${nested(6_000)}}`);
    await sendThenMark(alice, bob, 'bob', [{ type: 'OFFER', dst: 'bob', payload: { shallow: true } }]);
    expect(bob.frames.filter(ofType('OFFER')).map((frame) => frame.payload)).toEqual([{ shallow: true }]);
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
  });

  it.each(['http://[', 'http://%zz/peerjs'])('answers an upgrade to the unparsable target %s with 400, and stays up', async (target) => {
    const { port } = new URL(broker.url);
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(Number(port), '127.0.0.1', () => {
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let reply = '';
      socket.setTimeout(5_000, () => socket.destroy());
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
      socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect((await fetch(`${broker.url}/health`)).status).toBe(200);
  });

  it('closes a socket that sends a frame over 64 KiB with too_large, and stays up', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    alice.socket.send('x'.repeat(64 * 1024 + 1));
    await expectRefused(alice, 'too_large', true);
    expect((await alice.closed).code).toBe(1009);
    const health = await fetch(`${broker.url}/health`);
    expect(health.status).toBe(200);
    await online('bob', await account(broker.app, 'bob'));
  });

  it('accepts a frame of exactly 64 KiB', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(ofType('PW_PRESENCE'));
    const frame = { type: 'OFFER', dst: 'bob', payload: { sdp: '' } };
    const padding = 64 * 1024 - JSON.stringify(frame).length;
    alice.send({ ...frame, payload: { sdp: 'x'.repeat(padding) } });
    await bob.next(ofType('OFFER'));
  });

  it('closes a socket that floods frames with rate_limited', async () => {
    await broker.close();
    broker = await startBroker({ wsMessagesPerSecond: 10 });
    const alice = await online('alice', await account(broker.app, 'alice'));
    for (let i = 0; i < 200; i++) alice.send({ type: 'HEARTBEAT' });
    await expectRefused(alice, 'rate_limited', true);
  });

  it('closes a socket that sends more bytes a second than allowed with rate_limited, however few its frames', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const big = { type: 'HEARTBEAT', padding: 'x'.repeat(60 * 1024) };
    for (let i = 0; i < 8; i++) alice.send(big); // 480 KiB at once: over 5 s of 64 KiB/s
    await expectRefused(alice, 'rate_limited', true);
  });

  it('applies at most 10 allowlist changes at once, then the latest of the rest as the budget allows', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(ofType('PW_PRESENCE'));
    const many = Array.from({ length: 100 }, (_, i) => `h${i}`);
    for (let i = 0; i < 30; i++) alice.send({ type: 'PW_ALLOW', payload: { handles: i === 29 ? ['bob'] : many } });
    // Each applied change answers with PW_PRESENCE; the last list is the one that holds in the end.
    await alice.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === '{"online":["bob"],"offline":[]}', 5_000);
    expect(alice.frames.filter(ofType('PW_PRESENCE'))).toHaveLength(11);
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
  });

  it('ignores a PW_ALLOW that lists the sender itself, so no socket can send frames to itself', async () => {
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(ofType('PW_PRESENCE'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['alice', 'bob'] } });
    alice.send({ type: 'OFFER', dst: 'alice', payload: { to: 'myself' } });
    alice.send({ type: 'PW_RELAY', dst: 'alice', payload: { id: 'mark', body: null } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ status: 'rejected', reason: 'invalid' });
    expect(alice.frames.map((frame) => frame.type)).toEqual(['OPEN', 'PW_RELAY_STATUS']);
    expect(bob.frames.filter(ofType('PW_PRESENCE'))).toHaveLength(1); // alice's list never applied
  });

  it('drops a socket that stops reading once a MiB waits unsent for it, and stays up', async () => {
    await broker.close();
    broker = await startBroker({ wsMessagesPerSecond: 10_000, wsBytesPerSecond: 1024 * 1024 * 1024 });
    const alice = await online('alice', await account(broker.app, 'alice'));
    const bob = await online('bob', await account(broker.app, 'bob'));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload).includes('bob'));
    bob.socket.pause(); // bob's client stops reading; the kernel's buffers fill, then the broker's

    const offer = { type: 'OFFER', dst: 'bob', payload: { sdp: 'x'.repeat(60 * 1024) } };
    for (let i = 0; i < 400; i++) alice.send(offer); // 24 MiB for bob
    const gone = await alice.next((frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload).includes('"offline":["bob"]'), 20_000);
    expect(gone.payload).toEqual({ online: [], offline: ['bob'] });
    expect(broker.app.signalling.size).toBe(1);
    expect((await fetch(`${broker.url}/health`)).status).toBe(200);
  });

  it('closes open sockets with auth_revoked when the password changes', async () => {
    const token = await account(broker.app, 'alice');
    const alice = await online('alice', token);
    const response = await broker.app.inject({
      method: 'POST',
      url: '/api/accounts/me/password',
      headers: bearer(token),
      payload: { currentPassword: 'correct horse battery', newPassword: 'a brand new secret' },
    });
    expect(response.statusCode).toBe(200);
    await expectRefused(alice, 'auth_revoked', true);
    await expectRefused(connect('alice', token), 'auth_revoked');
    await online('alice', (response.json() as { token: string }).token);
  });
});

describe('account deletion', () => {
  it('closes the open socket with auth_revoked and refuses the old token', async () => {
    const token = await account(broker.app, 'alice');
    const alice = await online('alice', token);
    const response = await broker.app.inject({
      method: 'DELETE',
      url: '/api/accounts/me',
      headers: bearer(token),
      payload: { password: 'correct horse battery' },
    });
    expect(response.statusCode).toBe(204);
    await expectRefused(alice, 'auth_revoked', true);
    await expectRefused(connect('alice', token), 'auth_revoked');
  });
});

/** Signs a token like the broker does, with one thing changed. */
function forge(change: { secret?: string; algorithm?: 'HS256' | 'HS512'; exp?: number; ver?: number }): string {
  const algorithm = change.algorithm ?? 'HS256';
  const claims = {
    sub: 'alice',
    ver: change.ver ?? 1,
    sid: 'forged-session',
    sat: Date.now(),
    exp: change.exp ?? Math.floor(Date.now() / 1000) + 3600,
  };
  const body = `${part({ alg: algorithm, typ: 'JWT' })}.${part(claims)}`;
  const hmac = createHmac(algorithm === 'HS256' ? 'sha256' : 'sha512', change.secret ?? secretOf());
  return `${body}.${hmac.update(body).digest('base64url')}`;
}

function unsigned(): string {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', ver: 1, sid: 's', sat: 1, exp })}.`;
}

function part(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function secretOf(): string {
  return readFileSync(join(broker.config.dataDir, 'jwt-secret'), 'utf8').trim();
}
