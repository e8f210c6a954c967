import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '../../core/author';
import { decodeBody } from '../../core/body';
import { decodeMessage } from '../../core/messages';
import { toHex } from '../../core/bytes';
import { acceptKeyChange, pinFriend } from '../../core/friendship';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery, type OwnRecoveryEvent } from '../../core/ownRecovery';
import { confirmRecovery } from '../../core/recoveryConfirm';
import { createRelayMessage, parseRelayMessage } from '../../core/relayMessage';
import { verifyRotationChain } from '../../core/rotation';
import { planIngest } from '../../core/ingest';
import { befriend, connect, deps, makeUser, post, queue, seededRandom, text, type User } from './support/world';

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: { run: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    setTimer(run: () => void, ms: number) {
      const t = { run, ms, cancelled: false };
      pending.push(t);
      return () => void (t.cancelled = true);
    },
    fire() {
      for (const t of pending.splice(0)) if (!t.cancelled) t.run();
    },
    get armed() {
      return pending.filter((t) => !t.cancelled).map((t) => t.ms);
    },
  };
}

/** Carol's browser is wiped with no backup: she signs in again and gets a new key and an empty replica. */
function reinstall(u: User, named: string[], timers = manualTimers()) {
  u.identity = createIdentity(u.identity.handle, seededRandom(`${u.identity.handle}-reinstalled`));
  u.replica = createMemoryReplica();
  u.events = [];
  const events: OwnRecoveryEvent[] = [];
  u.ownRecovery = createOwnRecovery({ replica: u.replica, identity: u.identity, named, ...deps(u), setTimer: timers.setTimer, waitMs: 120_000, onEvent: (e) => events.push(e) });
  return { timers, events, done: () => u.replica.setRecovering(true) };
}

/** Carol asks `friend` to restore her wall; the friend confirms it is her; carol pins the friend from the answer. */
async function askAndConfirm(carol: User, friend: User): Promise<void> {
  const request = createRelayMessage(carol.identity, 'recover-request', friend.identity.handle, {}, deps(carol));
  if (!request.ok) throw new Error(request.reason);
  const received = parseRelayMessage(JSON.parse(JSON.stringify(request.value)), carol.identity.handle, friend.identity.handle);
  if (!received.ok) throw new Error(received.reason);
  expect(received.value.type).toBe('recover-request');
  const confirmed = await confirmRecovery(friend.replica, friend.identity, carol.identity.handle, carol.identity.publicKey);
  if (!confirmed.ok) throw new Error(confirmed.reason);
  const accept = createRelayMessage(friend.identity, 'friend-accept', carol.identity.handle, { replyTo: received.value.nonce }, deps(friend));
  if (!accept.ok) throw new Error(accept.reason);
  const accepted = parseRelayMessage(JSON.parse(JSON.stringify(accept.value)), friend.identity.handle, carol.identity.handle);
  if (!accepted.ok) throw new Error(accepted.reason);
  await pinFriend(carol.replica, accepted.value, carol.now);
}

/** Version 5 builds on version 4, which a side offers only with somewhere to keep photos (§10). */
const person = (handle: string) => makeUser(handle, handle, { media: true });

const ids = async (u: User, wall: string) => (await u.replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

/** Carol with a wall of three entries (one a comment by alice) that alice and bob both hold. */
async function carolWithFriends() {
  const carol = person('carol');
  const alice = person('alice');
  const bob = person('bob');
  await befriend(carol, alice);
  await befriend(carol, bob);
  const first = await post(carol, text('one'));
  await post(carol, text('two'));
  await queue(alice, 'carol', { kind: 'comment', target: first.id, body: { text: 'nice' } });
  await queue(carol, 'alice', { kind: 'wallPost', body: { text: 'hi alice', media: [] } });
  await connect(carol, alice);
  await connect(carol, bob);
  const lostKey = carol.identity.publicKey;
  return { carol, alice, bob, lostKey, wall: await ids(carol, 'carol') };
}

describe('recovering a wall from friends without the key (§8, version 5)', () => {
  it('waits for the second friend, restores the old posts, announces the new key and continues the wall', async () => {
    const { carol, alice, bob, lostKey, wall } = await carolWithFriends();
    expect(wall).toHaveLength(3);
    const { timers, events, done } = reinstall(carol, ['alice', 'bob']);
    await done();
    await askAndConfirm(carol, alice);
    await askAndConfirm(carol, bob);
    expect((await alice.replica.friend('carol'))?.recoveredFrom).toEqual(lostKey);
    expect(await ids(alice, 'carol')).toEqual(wall); // the old copy is kept

    await connect(carol, alice);
    expect(carol.ownRecovery?.waitingFor()).toEqual(['bob']);
    expect(timers.armed).toEqual([120_000]);
    expect(await carol.replica.recovering()).toBe(true);

    await connect(carol, bob);
    const recovered = events.find((e) => e.type === 'recovered');
    expect(recovered).toMatchObject({ type: 'recovered', seq: 4, from: 'alice', disagreeing: [] });
    expect(await carol.replica.recovering()).toBe(false);
    expect((await ids(carol, 'carol')).slice(0, 3)).toEqual(wall);
    const [rotate] = await carol.replica.entriesAfter('carol', 3, 1);
    const statement = decodeBody('rotate', rotate!.body);
    expect(statement.ok && statement.value.kind === 'rotate' && statement.value.body).toMatchObject({ format: 2, oldKey: lostKey, newKey: carol.identity.publicKey, atSeq: 4 });

    // The identity now carries the history: the lost key stays one of carol's.
    const restored = carol.ownRecovery!.identity;
    expect(verifyRotationChain('carol', restored.rotations, restored.publicKey)).toMatchObject({ ok: true, value: { genesis: lostKey } });
    carol.identity = restored;
    carol.ownRecovery = undefined;
    const next = await post(carol, text('back again'));
    expect(next.seq).toBe(5);

    await connect(carol, alice);
    await connect(carol, bob);
    for (const friend of [alice, bob]) {
      expect(await ids(friend, 'carol')).toEqual([...wall, rotate!.id, next.id]);
      const pin = await friend.replica.friend('carol');
      expect(pin?.recoveredFrom).toBeUndefined();
      expect(pin?.rotations.map((s) => s.format ?? 1)).toEqual([2]);
    }
    // carol's own old wall post on alice's wall (signed by the lost key) is still hers.
    expect((await alice.replica.entriesAfter('alice', 0, 10)).map((e) => e.header.author)).toEqual(['carol']);
  });

  it('keeps the longest copy after the wait and says plainly which friend holds another version', async () => {
    const carol = person('carol');
    const alice = person('alice');
    const bob = person('bob');
    await befriend(carol, alice);
    await befriend(carol, bob);
    await post(carol, text('one'));
    await connect(carol, bob);
    // A second device (same key) forks the wall: bob gets one version of entry 2, alice another and a third.
    const fork = { ...carol, replica: createMemoryReplica(), events: [] };
    const held = await carol.replica.entriesAfter('carol', 0, 10);
    const copy = await planIngest(fork.replica, 'carol', held, carol.identity.publicKey, carol.now, new Map());
    if (!copy.ok) throw new Error(copy.reason);
    await fork.replica.commit(copy.value);
    await fork.replica.putFriend((await carol.replica.friend('bob'))!);
    await post(fork, text('two on the other device'));
    await connect(fork, bob);
    await post(carol, text('two'));
    await post(carol, text('three'));
    await connect(carol, alice);
    const longest = await ids(carol, 'carol');

    const { events, done } = reinstall(carol, ['alice', 'bob']);
    await done();
    await askAndConfirm(carol, bob);
    await askAndConfirm(carol, alice);
    await connect(carol, bob);
    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', disagreeing: ['bob'], seq: 4 });
    expect((await ids(carol, 'carol')).slice(0, 3)).toEqual(longest);
  });

  it('takes the one copy it has when the wait runs out', async () => {
    const { carol, alice, wall } = await carolWithFriends();
    const { timers, events, done } = reinstall(carol, ['alice', 'bob']);
    await done();
    await askAndConfirm(carol, alice);
    const link = await connect(carol, alice);
    expect(await carol.replica.recovering()).toBe(true);
    const early = await writeOwnEntry(carol.replica, carol.identity, text('too early'), deps(carol));
    expect(early).toMatchObject({ ok: false, reason: expect.stringContaining('restored from your friends') });

    timers.fire();
    await carol.ownRecovery!.idle();
    await link.settle();
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', seq: 4 });
    expect((await ids(carol, 'carol')).slice(0, 3)).toEqual(wall);
    // The session still open tells alice, who takes the recovery entry at once.
    expect(await ids(alice, 'carol')).toEqual(await ids(carol, 'carol'));
  });

  it('asks again when a friend next connects after the restored copy could not be stored', async () => {
    const { carol, alice, wall } = await carolWithFriends();
    const { events, done } = reinstall(carol, ['alice']);
    await done();
    await askAndConfirm(carol, alice);
    const commit = carol.replica.commit.bind(carol.replica);
    let full = true;
    carol.replica.commit = async (write) => (full && write.wall === 'carol' ? { ok: false, reason: 'There is not enough free disk space.' } : commit(write));

    await connect(carol, alice);
    expect(events).toContainEqual({ type: 'failed', reason: 'There is not enough free disk space.' });
    expect(await carol.replica.recovering()).toBe(true);
    expect(carol.ownRecovery?.waitingFor()).toEqual(['alice']);

    full = false;
    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', seq: 4 });
    expect((await ids(carol, 'carol')).slice(0, 3)).toEqual(wall);
  });

  it('lets a person with no friend online skip: the wall starts over at the new key', async () => {
    const { carol } = await carolWithFriends();
    const { timers, events, done } = reinstall(carol, ['alice', 'bob']);
    await done();
    expect(carol.ownRecovery?.waitingFor()).toEqual(['alice', 'bob']);
    await carol.ownRecovery!.skip();
    expect(timers.armed).toEqual([]);
    expect(events).toContainEqual({ type: 'recovered', identity: carol.identity, seq: 0, from: null, disagreeing: [], otherWalls: [] });
    expect(await carol.replica.recovering()).toBe(false);
    const first = await post(carol, text('a fresh start'));
    expect(first.seq).toBe(1);
  });

  it('refuses a named friend\'s copy that does not verify, stores nothing and keeps waiting', async () => {
    const { carol, alice } = await carolWithFriends();
    const { events, done } = reinstall(carol, ['alice']);
    await done();
    await askAndConfirm(carol, alice);
    // alice's answer for carol's own wall arrives with its last owner signature damaged.
    await connect(carol, alice, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from !== 'b' || !m.ok || m.value.type !== 'batch' || m.value.wall !== 'carol' || m.value.entries.length === 0) return [f];
        const damaged = f.slice();
        damaged[damaged.length - 1]! ^= 1;
        return [damaged];
      },
    });
    expect(carol.events).toContainEqual(expect.objectContaining({ type: 'closed', code: 'invalid_batch' }));
    expect(await carol.replica.wallState('carol')).toBeNull();
    expect(await carol.replica.recovering()).toBe(true);
    expect(carol.ownRecovery?.waitingFor()).toEqual(['alice']);
    expect(events).toEqual([]);

    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', seq: 4 });
  });

  it('refuses a copy from a friend it did not ask', async () => {
    const { carol, alice } = await carolWithFriends();
    const { done } = reinstall(carol, ['bob']);
    await done();
    await askAndConfirm(carol, alice);
    await connect(carol, alice);
    expect(carol.ownRecovery?.waitingFor()).toEqual(['bob']);
    expect(await carol.replica.wallState('carol')).toBeNull();
  });
});

describe('a reader and a recovery entry (§5.4 rule 10)', () => {
  it('is refused by a friend who did not confirm the new key, and the copy stays as it was', async () => {
    const { carol, alice, bob, wall } = await carolWithFriends();
    const { events, done } = reinstall(carol, ['alice']);
    await done();
    await askAndConfirm(carol, alice);
    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ seq: 4 });
    // bob never confirmed: carol's new key is a key change to him, and the entry is not his to take.
    const recoveryEntry = await carol.replica.entriesAfter('carol', 3, 1);
    const plan = await planIngest(bob.replica, 'carol', recoveryEntry, carol.identity.publicKey, bob.now, new Map());
    expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining('not confirmed') });
    carol.identity = carol.ownRecovery!.identity;
    carol.ownRecovery = undefined;
    await connect(carol, bob);
    expect(bob.events).toContainEqual({ type: 'keyChanged', handle: 'carol', key: carol.identity.publicKey });
    expect(await ids(bob, 'carol')).toEqual(wall);
  });

  it('is refused when it recovers to another key than the one confirmed', async () => {
    const { carol, alice } = await carolWithFriends();
    const mallory = createIdentity('carol', seededRandom('mallory'));
    await confirmRecovery(alice.replica, alice.identity, 'carol', mallory.publicKey);
    const { done } = reinstall(carol, ['alice']);
    await done();
    const head = await alice.replica.wallState('carol');
    // carol's real new key seals a recovery entry; alice confirmed mallory's key instead.
    const { appendRecovery } = await import('../../core/recoveryEntry');
    const copy = await planIngest(carol.replica, 'carol', await alice.replica.entriesAfter('carol', 0, 10), head!.genesisKey, carol.now, new Map());
    if (!copy.ok) throw new Error(copy.reason);
    await carol.replica.commit(copy.value);
    const appended = await appendRecovery(carol.replica, carol.identity, deps(carol));
    expect(appended.ok).toBe(true);
    const entry = await carol.replica.entriesAfter('carol', head!.seq, 1);
    const friend = await alice.replica.friend('carol');
    const plan = await planIngest(alice.replica, 'carol', entry, head!.genesisKey, alice.now, new Map(), { recovery: { newKey: friend!.key, lostKey: friend!.recoveredFrom } });
    expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining('not confirmed') });
    expect(toHex(friend!.key)).toBe(toHex(mallory.publicKey));
  });
});

describe('a friend before version 5 and a recovered wall (§10)', () => {
  it('keeps syncing everything else with the recovered friend, who sends it none of her wall', async () => {
    const { carol, alice, bob } = await carolWithFriends();
    bob.versions = [1, 2, 3, 4];
    const { done } = reinstall(carol, ['alice']);
    await done();
    await askAndConfirm(carol, alice);
    await connect(carol, alice);
    carol.identity = carol.ownRecovery!.identity;
    carol.ownRecovery = undefined;
    // bob cannot confirm: he accepts carol's new key as a new identity, as before version 5.
    await acceptKeyChange(bob.replica, bob.identity, 'carol', carol.identity.publicKey, bob.now);
    await pinFriend(carol.replica, await acceptFrom(bob, carol), carol.now);
    const mine = await post(bob, text('bob still posts'));
    const onCarol = await queue(bob, 'carol', { kind: 'wallPost', body: { text: 'welcome back', media: [] } });

    const link = await connect(carol, bob);
    expect(link.a.state).toBe('ready');
    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
    expect(await bob.replica.wallState('carol')).toBeNull();
    expect(await ids(carol, 'bob')).toContain(mine.id);
    expect(await ids(carol, 'carol')).toContain(onCarol);
  });
});

/** A friend-accept from `friend` to `to`, as `to` receives it. */
async function acceptFrom(friend: User, to: User) {
  const request = createRelayMessage(to.identity, 'friend-request', friend.identity.handle, {}, deps(to));
  if (!request.ok) throw new Error(request.reason);
  const accept = createRelayMessage(friend.identity, 'friend-accept', to.identity.handle, { replyTo: request.value.nonce }, deps(friend));
  if (!accept.ok) throw new Error(accept.reason);
  const parsed = parseRelayMessage(JSON.parse(JSON.stringify(accept.value)), friend.identity.handle, to.identity.handle);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('recovering a wall that was empty', () => {
  it('starts the wall at the new key, and a friend who confirmed takes it from entry 1', async () => {
    const carol = person('carol');
    const alice = person('alice');
    await befriend(carol, alice);
    await connect(carol, alice);
    const { events, done } = reinstall(carol, ['alice']);
    await done();
    await askAndConfirm(carol, alice);
    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ seq: 0, from: null });
    carol.identity = carol.ownRecovery!.identity;
    carol.ownRecovery = undefined;
    const first = await post(carol, text('hello again'));
    await connect(carol, alice);
    expect(await ids(alice, 'carol')).toEqual([first.id]);
  });

  it('asks at most 8 friends', () => {
    const carol = person('carol');
    const named = Array.from({ length: 9 }, (_, i) => `friend${i}`);
    expect(() => createOwnRecovery({ replica: carol.replica, identity: carol.identity, named, ...deps(carol), setTimer: () => () => undefined })).toThrow(RangeError);
  });
});
