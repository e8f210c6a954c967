import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '@/core/author';
import { toHex } from '@/core/bytes';
import { feedRow } from '@/core/feed';
import { createIdentity } from '@/core/identity';
import { planIngest } from '@/core/ingest';
import { knownAuthors } from '@/core/knownAuthors';
import { createMemoryReplica } from '@/core/memoryReplica';
import type { Replica } from '@/core/replica';
import { createSyncSession } from '@/core/syncSession';
import { createMemoryTransportPair } from '@/core/transport';
import { openContentDb } from '@/platform/content-db';
import { createIdbReplica } from '@/platform/social/idb-replica';

let counter = 0;
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
let clock = 1_000;
const deps = { randomBytes, now: () => (clock += 10) };

async function idb() {
  const db = await openContentDb(`replica-${++counter}-${Math.random()}`);
  return { db, replica: createIdbReplica(db) };
}

async function post(replica: Replica, identity: ReturnType<typeof createIdentity>, text: string) {
  const written = await writeOwnEntry(replica, identity, { kind: 'post', body: { text, media: [] } }, deps);
  if (!written.ok) throw new Error(written.reason);
  return written.value;
}

describe('IndexedDB replica', () => {
  it('keeps the newest profile of each wall, also one whose body came late, and forgets it with the wall', async () => {
    const alice = createIdentity('alice', randomBytes);
    const source = createMemoryReplica();
    for (const displayName of ['Al', 'Alice']) {
      const written = await writeOwnEntry(source, alice, { kind: 'profile', body: { displayName, about: '' } }, deps);
      if (!written.ok) throw new Error(written.reason);
    }
    const entries = await source.entriesAfter('alice', 0, 10);
    const { db, replica } = await idb();
    const known = knownAuthors(alice, []);
    const ingest = async (batch: typeof entries) => {
      const plan = await planIngest(replica, 'alice', batch, alice.publicKey, deps.now, known);
      if (!plan.ok) throw new Error(plan.reason);
      expect(await replica.commit(plan.value)).toEqual({ ok: true, value: undefined });
    };

    // A relay handed over the first profile without its body, the second with it.
    await ingest([{ ...entries[0]!, body: null }, entries[1]!]);
    expect(await db.getAll('profiles')).toEqual([{ wall: 'alice', seq: 2, displayName: 'Alice', about: '' }]);
    await ingest([entries[0]!]); // the late body of the older one changes nothing
    expect(await db.getAll('profiles')).toEqual([{ wall: 'alice', seq: 2, displayName: 'Alice', about: '' }]);

    const { db: other, replica: late } = await idb();
    const planLate = async (batch: typeof entries) => {
      const plan = await planIngest(late, 'alice', batch, alice.publicKey, deps.now, known);
      if (!plan.ok) throw new Error(plan.reason);
      await late.commit(plan.value);
    };
    await planLate([{ ...entries[0]!, body: null }]);
    expect(await other.getAll('profiles')).toEqual([]);
    await planLate([entries[0]!]);
    expect(await other.getAll('profiles')).toEqual([{ wall: 'alice', seq: 1, displayName: 'Al', about: '' }]);

    await late.dropWall('alice');
    expect(await other.getAll('profiles')).toEqual([]);
  });

  it('commits a pulled batch without waiting for the disk, and one\'s own posts with the browser\'s default', async () => {
    const alice = createIdentity('alice', randomBytes);
    const source = createMemoryReplica();
    await post(source, alice, 'from alice');
    const { db, replica } = await idb();
    const durabilities: string[] = [];
    const transaction = db.transaction.bind(db);
    db.transaction = ((...args: Parameters<typeof transaction>) => {
      const tx = transaction(...args);
      if (args[1] === 'readwrite') durabilities.push(tx.durability);
      return tx;
    }) as typeof db.transaction;
    const plan = await planIngest(replica, 'alice', await source.entriesAfter('alice', 0, 10), alice.publicKey, deps.now, knownAuthors(alice, []));
    if (!plan.ok) throw new Error(plan.reason);

    await replica.commit({ ...plan.value, refetchable: true });
    await post(replica, createIdentity('bob', randomBytes), 'my own');

    expect(durabilities).toEqual(['relaxed', 'default']);
    expect((await replica.wallState('alice'))?.seq).toBe(1);
    expect((await replica.wallState('bob'))?.seq).toBe(1);
  });

  it('stores own posts in order and lists them after a sequence number', async () => {
    const { replica } = await idb();
    const alice = createIdentity('alice', randomBytes);
    for (const text of ['one', 'two', 'three']) await post(replica, alice, text);

    expect((await replica.wallState('alice'))?.seq).toBe(3);
    expect((await replica.entriesAfter('alice', 1, 10)).map((e) => e.seq)).toEqual([2, 3]);
    expect((await replica.entriesAfter('alice', 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
    const second = (await replica.entriesAfter('alice', 1, 1))[0]!;
    expect(await replica.entryById('alice', second.id)).toEqual(second);
  });

  it('refuses a write planned against an older head and changes nothing', async () => {
    const { replica } = await idb();
    const alice = createIdentity('alice', randomBytes);
    await post(replica, alice, 'one');
    const state = (await replica.wallState('alice'))!;

    const result = await replica.commit({ wall: 'alice', expectedSeq: 0, state, append: [], fillBodies: [], tombstone: [], feed: [] });

    expect(result).toEqual({ ok: false, reason: 'conflict' });
    expect((await replica.wallState('alice'))?.seq).toBe(1);
  });

  it('applies a batch in one transaction: a failure part-way leaves the wall as it was', async () => {
    const { replica, db } = await idb();
    const alice = createIdentity('alice', randomBytes);
    const first = await post(replica, alice, 'one');
    const state = (await replica.wallState('alice'))!;
    const clash = { ...first, seq: 2 }; // same id at another position: the unique id index refuses it

    const failed = replica.commit({
      wall: 'alice',
      expectedSeq: 1,
      state: { ...state, seq: 2 },
      append: [clash],
      fillBodies: [],
      tombstone: [],
      feed: [{ op: 'put', row: { id: 'other', wall: 'alice', author: 'alice', seq: 2, text: 'two', shownAt: 1, edited: false } }],
    });

    await expect(failed).rejects.toThrow();
    expect((await replica.wallState('alice'))?.seq).toBe(1);
    expect(await db.count('entries')).toBe(1);
    expect(await db.count('feed')).toBe(1);
  });

  it('receives a friend’s wall through a core sync session exactly as the owner holds it', async () => {
    const alice = createIdentity('alice', randomBytes);
    const bob = createIdentity('bob', randomBytes);
    const owner = createMemoryReplica();
    const { replica: reader, db } = await idb();
    for (let i = 0; i < 70; i++) await post(owner, alice, `post ${i}`);
    await owner.putFriend({ handle: 'bob', key: bob.publicKey, rotations: [], since: 0 });
    await reader.putFriend({ handle: 'alice', key: alice.publicKey, rotations: [], since: 0 });
    const [a, b] = createMemoryTransportPair();
    const common = { randomBytes, now: deps.now };
    const sa = createSyncSession({ replica: owner, identity: alice, peer: 'bob', transport: a, localFingerprint: 'A', remoteFingerprint: 'B', ...common });
    const sb = createSyncSession({ replica: reader, identity: bob, peer: 'alice', transport: b, localFingerprint: 'B', remoteFingerprint: 'A', ...common });

    sa.start();
    sb.start();
    for (let i = 0; i < 50 && !(sa.settled() && sb.settled() && sa.state === 'ready'); i++) {
      await sa.idle();
      await sb.idle();
    }

    const held = await reader.entriesAfter('alice', 0, 100);
    const original = await owner.entriesAfter('alice', 0, 100);
    expect(held.map((e) => e.id)).toEqual(original.map((e) => e.id));
    expect(held.map((e) => toHex(e.ownerSig))).toEqual(original.map((e) => toHex(e.ownerSig)));
    expect(await db.count('feed')).toBe(70);
  });

  it('keeps the feed index in step with edits, deletes and dropped walls', async () => {
    const { replica, db } = await idb();
    const alice = createIdentity('alice', randomBytes);
    const keep = await post(replica, alice, 'draft');
    const gone = await post(replica, alice, 'oops');

    await writeOwnEntry(replica, alice, { kind: 'edit', target: keep.id, body: { text: 'final', media: [] } }, deps);
    await writeOwnEntry(replica, alice, { kind: 'delete', target: gone.id, body: null }, deps);

    expect(await db.getAll('feed')).toMatchObject([{ id: keep.id, text: 'final', edited: true }]);
    expect((await replica.entryById('alice', gone.id))?.tombstoned).toBe(true);
    expect((await replica.entriesTargeting('alice', keep.id)).map((e) => e.header.kind)).toEqual(['edit']);

    await replica.dropWall('alice');
    expect(await db.count('feed')).toBe(0);
    expect(await replica.wallState('alice')).toBeNull();
    expect(await replica.entriesAfter('alice', 0, 10)).toEqual([]);
  });

  it('keeps `via` on an entry and its feed row that a friend relayed, through an edit', async () => {
    const owner = createMemoryReplica();
    const alice = createIdentity('alice', randomBytes);
    const original = await post(owner, alice, 'relayed');
    const relayed = { ...original, via: 'carol' };
    const { replica, db } = await idb();

    const state = (await owner.wallState('alice'))!;
    const put = { op: 'put' as const, row: feedRow(relayed, null) };
    await replica.commit({ wall: 'alice', expectedSeq: 0, state, append: [relayed], fillBodies: [], tombstone: [], feed: [put] });
    await replica.commit({ wall: 'alice', expectedSeq: 1, state, append: [], fillBodies: [], tombstone: [], feed: [{ op: 'edit', id: relayed.id, text: 'later' }] });

    expect(await replica.entryById('alice', relayed.id)).toEqual(relayed);
    expect((await replica.entriesAfter('alice', 0, 1))[0]?.via).toBe('carol');
    expect(await db.get('feed', relayed.id)).toMatchObject({ via: 'carol', text: 'later', edited: true });
  });

  it('keeps friends, the outbox and the recovery flag', async () => {
    const { replica } = await idb();
    const key = new Uint8Array(32).fill(7);
    await replica.putFriend({ handle: 'bob', key, rotations: [], since: 5 });
    const entry = { header: {} as never, authorSig: new Uint8Array(64), body: null };
    await replica.addToOutbox('bob', { id: 'x1', entry, queuedAt: 2 });
    await replica.addToOutbox('bob', { id: 'x1', entry, queuedAt: 3 });
    await replica.addToOutbox('bob', { id: 'x0', entry, queuedAt: 1 });
    await replica.setRecovering(true);

    expect(await replica.friends()).toEqual([{ handle: 'bob', key, rotations: [], since: 5 }]);
    expect((await replica.outbox('bob')).map((i) => i.id)).toEqual(['x0', 'x1']);
    await replica.removeFromOutbox('bob', ['x0']);
    expect((await replica.outbox('bob')).map((i) => i.id)).toEqual(['x1']);
    expect(await replica.recovering()).toBe(true);
    await replica.removeFriend('bob');
    expect(await replica.friend('bob')).toBeNull();
  });
});
