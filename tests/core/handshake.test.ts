import { describe, expect, it } from 'vitest';
import { rotateKey } from '../../core/author';
import { acceptKeyChange } from '../../core/friendship';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { ByteWriter } from '../../core/bytes';
import { encodeMessage, decodeMessage, HELLO_MAGIC } from '../../core/messages';
import { safetyNumber } from '../../core/safetyNumber';
import { createSyncSession } from '../../core/syncSession';
import { createMemoryTransportPair } from '../../core/transport';
import { buildWallView } from '../../core/wallView';
import { befriend, connect, deps, makeUser, post, queue, text, type User } from './support/world';

function closedCode(u: User): string | null | undefined {
  for (const e of u.events) if (e.type === 'closed') return e.code;
  return undefined;
}

async function friends(): Promise<[User, User]> {
  const alice = makeUser('alice');
  const bob = makeUser('bob');
  await befriend(alice, bob);
  return [alice, bob];
}

describe('hello handshake', () => {
  it('authenticates both sides and shows both the same safety number', async () => {
    const [alice, bob] = await friends();
    const link = await connect(alice, bob);
    expect(link.a.state).toBe('ready');
    expect(link.b.state).toBe('ready');
    const a = alice.events.find((e) => e.type === 'ready');
    const b = bob.events.find((e) => e.type === 'ready');
    expect(a).toMatchObject({ version: 3 });
    expect(a && 'safetyNumber' in a && a.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a).toEqual(b);
  });

  it('drops a connection whose DTLS fingerprints differ between the two sides (a relay in the middle)', async () => {
    const [alice, bob] = await friends();
    await post(alice, text('secret'));
    const link = await connect(alice, bob, { fingerprints: ['fp-alice', 'fp-mitm-1', 'fp-bob', 'fp-mitm-2'] });
    expect(link.a.state).toBe('closed');
    expect(link.b.state).toBe('closed');
    expect(closedCode(alice) ?? closedCode(bob)).toBe('bad_auth');
    expect(await bob.replica.wallState('alice')).toBeNull();
  });

  it('binds the fingerprints whatever case and spacing each browser prints them in', async () => {
    const [alice, bob] = await friends();
    const link = await connect(alice, bob, { fingerprints: ['sha-256 AA:BB', ' sha-256 cc:dd\r', 'sha-256 CC:DD', 'sha-256  aa:bb'] });
    expect(link.a.state).toBe('ready');
    expect(link.b.state).toBe('ready');
  });

  it('rejects an auth replayed from an earlier connection', async () => {
    const [alice, bob] = await friends();
    const oldAuth: Uint8Array[] = [];
    await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from === 'a' && m.ok && m.value.type === 'auth') oldAuth.push(f);
        return [f];
      },
    });
    expect(oldAuth).toHaveLength(1);
    alice.events = [];
    bob.events = [];
    const link = await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        return from === 'a' && m.ok && m.value.type === 'auth' ? [oldAuth[0]!] : [f];
      },
    });
    expect(link.b.state).toBe('closed');
    expect(closedCode(bob)).toBe('bad_auth');
  });

  it('closes with a clear error when no protocol version is shared', async () => {
    const [alice, bob] = await friends();
    const [ta, tb] = createMemoryTransportPair();
    const common = { localFingerprint: 'x', remoteFingerprint: 'x' };
    const sa = createSyncSession({ replica: alice.replica, identity: alice.identity, peer: 'bob', transport: ta, ...common, ...deps(alice), versions: [2, 3], onEvent: (e) => alice.events.push(e) });
    const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, ...common, ...deps(bob), onEvent: (e) => bob.events.push(e) });
    sa.start();
    sb.start();
    await sa.idle();
    await sb.idle();
    await sa.idle();
    expect(sa.state).toBe('closed');
    expect(sb.state).toBe('closed');
    const closed = [...alice.events, ...bob.events].find((e) => e.type === 'closed' && e.code === 'unsupported_version');
    expect(closed && 'reason' in closed && closed.reason).toMatch(/update Peerwall/);
  });

  it('answers a hello of a later version with unsupported_version, even when the rest of it is unreadable', async () => {
    const [, bob] = await friends();
    const [ta, tb] = createMemoryTransportPair();
    const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, localFingerprint: 'x', remoteFingerprint: 'y', ...deps(bob), onEvent: (e) => bob.events.push(e) });
    sb.start();
    // Tag 1, the frozen magic and version list, then fields this version does not know.
    ta.send(new ByteWriter().u8(1).fixed(HELLO_MAGIC, 4).list([2, 3], (w, v) => w.u16(v)).text('a future field').u8(7).finish());
    await sb.idle();
    expect(closedCode(bob)).toBe('unsupported_version');
  });

  it('refuses a peer that is not a friend, and one that claims another handle', async () => {
    const alice = makeUser('alice');
    const stranger = makeUser('stranger');
    const link = await connect(alice, stranger);
    expect(link.a.state).toBe('closed');
    expect(closedCode(alice) ?? closedCode(stranger)).toBe('not_friends');

    const [a2, bob] = await friends();
    const impostor = makeUser('carol');
    const [ta, tb] = createMemoryTransportPair();
    const common = { localFingerprint: 'x', remoteFingerprint: 'x' };
    const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, ...common, ...deps(bob), onEvent: (e) => bob.events.push(e) });
    const si = createSyncSession({ replica: impostor.replica, identity: impostor.identity, peer: 'bob', transport: ta, ...common, ...deps(impostor) });
    sb.start();
    si.start();
    await sb.idle();
    expect(sb.state).toBe('closed');
    expect(closedCode(bob)).toBe('wrong_peer');
    void a2;
  });

  it('warns about a key change no rotation proves, and syncs nothing until the user accepts it', async () => {
    const [alice, bob] = await friends();
    await post(alice, text('hello'));
    const pinned = (await bob.replica.friend('alice'))!.key;
    alice.identity = createIdentity('alice', alice.randomBytes);
    const link = await connect(alice, bob);
    expect(link.b.state).toBe('closed');
    expect(bob.events.find((e) => e.type === 'keyChanged')).toMatchObject({ handle: 'alice', key: alice.identity.publicKey });
    expect((await bob.replica.friend('alice'))!.key).toEqual(pinned);
    expect(await bob.replica.wallState('alice')).toBeNull();
  });

  it('after the user accepts an unproven key, syncs the new identity as a new wall', async () => {
    const [alice, bob] = await friends();
    await post(alice, text('old wall'));
    await connect(alice, bob);
    // Alice lost her browser and her export: new key, empty replica.
    alice.identity = createIdentity('alice', alice.randomBytes);
    alice.replica = createMemoryReplica();
    await alice.replica.putFriend({ handle: 'bob', key: bob.identity.publicKey, rotations: [], since: 0 });
    await connect(alice, bob);
    const changed = bob.events.find((e) => e.type === 'keyChanged');
    if (changed?.type !== 'keyChanged') throw new Error('no key change reported');
    await acceptKeyChange(bob.replica, bob.identity, 'alice', changed.key, bob.now);
    await post(alice, text('new wall'));
    const link = await connect(alice, bob);
    expect(link.b.state).toBe('ready');
    const wall = await bob.replica.entriesAfter('alice', 0, 10);
    expect(wall.map((e) => [e.seq, e.header.authorKey])).toEqual([[1, alice.identity.publicKey]]);
  });

  it('follows a rotation signed by the pinned key and keeps syncing the wall', async () => {
    const [alice, bob] = await friends();
    await post(alice, text('before'));
    await connect(alice, bob);
    const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
    if (!rotated.ok) throw new Error(rotated.reason);
    alice.identity = rotated.value;
    await post(alice, text('after'));
    // Queued by bob while alice's old key was still pinned: re-addressed, not refused.
    await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'queued before the rotation', media: [] } });
    const link = await connect(alice, bob);
    expect(link.b.state).toBe('ready');
    expect(bob.events.find((e) => e.type === 'keyRotated')).toMatchObject({ handle: 'alice', key: rotated.value.publicKey });
    expect((await bob.replica.friend('alice'))!.key).toEqual(rotated.value.publicKey);
    expect((await bob.replica.entriesAfter('alice', 0, 10)).map((e) => e.header.kind)).toEqual(['post', 'rotate', 'post', 'wallPost']);
    expect(await bob.replica.outbox('alice')).toEqual([]);
    expect(bob.events.some((e) => e.type === 'undeliverable')).toBe(false);
  });

  it('refuses a key the friend has retired without asking the user to accept it', async () => {
    const [alice, bob] = await friends();
    const oldIdentity = alice.identity;
    const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
    if (!rotated.ok) throw new Error(rotated.reason);
    alice.identity = rotated.value;
    await connect(alice, bob);
    expect((await bob.replica.friend('alice'))!.key).toEqual(rotated.value.publicKey);
    // A displaced device that never saw the rotation connects with the old key.
    bob.events = [];
    const link = await connect({ ...alice, identity: oldIdentity, replica: createMemoryReplica() }, bob);
    expect(link.b.state).toBe('closed');
    expect(closedCode(bob)).toBe('key_changed');
    expect(bob.events.some((e) => e.type === 'keyChanged')).toBe(false);
    expect((await bob.replica.friend('alice'))!.key).toEqual(rotated.value.publicKey);
  });

  it('re-signs what an author queued for a friend when the author rotates, so it is still delivered', async () => {
    const [alice, bob] = await friends();
    await connect(alice, bob);
    const queued = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'written before my new key', media: [] } });
    const rotated = await rotateKey(bob.replica, bob.identity, deps(bob));
    if (!rotated.ok) throw new Error(rotated.reason);
    bob.identity = rotated.value;
    const [item] = await bob.replica.outbox('alice');
    expect(item?.id).not.toBe(queued);
    expect(item?.entry.header.authorKey).toEqual(rotated.value.publicKey);
    await connect(alice, bob);
    expect(alice.events.find((e) => e.type === 'keyRotated')).toMatchObject({ handle: 'bob' });
    expect(bob.events.some((e) => e.type === 'undeliverable')).toBe(false);
    const wall = await alice.replica.entriesAfter('alice', 0, 10);
    expect(wall.map((e) => [e.header.author, e.header.authorKey])).toEqual([['bob', rotated.value.publicKey]]);
  });

  it('keeps queued entries that refer to each other together, in order, when they are re-addressed', async () => {
    const [alice, bob] = await friends();
    await connect(alice, bob);
    const wallPost = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'v1', media: [] } });
    await queue(bob, 'alice', { kind: 'edit', target: wallPost, body: { text: 'v2', media: [] } });
    await queue(bob, 'alice', { kind: 'edit', target: wallPost, body: { text: 'v3', media: [] } });
    const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
    if (!rotated.ok) throw new Error(rotated.reason);
    alice.identity = rotated.value;
    await connect(alice, bob);
    expect(bob.events.filter((e) => e.type === 'undeliverable')).toEqual([]);
    const view = buildWallView('alice', await bob.replica.entriesAfter('alice', 0, 10));
    expect(view.posts.map((p) => [p.author, p.text, p.edited])).toEqual([['bob', 'v3', true]]);
  });

  it('answers a sync message sent before the handshake with an error', async () => {
    const [alice, bob] = await friends();
    const [ta, tb] = createMemoryTransportPair();
    const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, localFingerprint: 'x', remoteFingerprint: 'y', ...deps(bob), onEvent: (e) => bob.events.push(e) });
    const received: Uint8Array[] = [];
    ta.onFrame((f) => received.push(f));
    sb.start();
    ta.send(encodeMessage({ type: 'want', wall: 'bob', afterSeq: 0, max: 10 }));
    await sb.idle();
    expect(sb.state).toBe('closed');
    expect(received.map((f) => decodeMessage(f)).map((m) => m.ok && m.value.type)).toEqual(['hello', 'error']);
    void alice;
  });
});

describe('safety number', () => {
  it('is the same from both sides and changes with either key', () => {
    const a = makeUser('alice').identity;
    const b = makeUser('bob').identity;
    const n = safetyNumber({ handle: 'alice', key: a.publicKey }, { handle: 'bob', key: b.publicKey });
    expect(safetyNumber({ handle: 'bob', key: b.publicKey }, { handle: 'alice', key: a.publicKey })).toBe(n);
    const other = makeUser('alice', 'other-seed').identity;
    expect(safetyNumber({ handle: 'alice', key: other.publicKey }, { handle: 'bob', key: b.publicKey })).not.toBe(n);
  });
});
