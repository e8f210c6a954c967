import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signDraft } from '@/core/author';
import { createIdentity, type Identity } from '@/core/identity';
import { issuePass } from '@/core/readerPass';
import { type CarriedItem, createMemoryRelayStore, type RelayStore } from '@/core/relay';
import { StorageFullError } from '@/core/replica';
import { issueRevocations } from '@/core/revocations';
import { openContentDb } from '@/platform/content-db';
import { createIdbRelayStore } from '@/platform/social/idb-relay-store';

let counter = 0;
const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const alice = createIdentity('alice', randomBytes);
const bob = createIdentity('bob', randomBytes);
const carol = createIdentity('carol', randomBytes);

const idbStore = async () => createIdbRelayStore(await openContentDb(`relay-${++counter}-${Math.random()}`));

const passOf = (owner: Identity, reader: Identity, at: number) =>
  issuePass(owner, { handle: reader.handle, key: reader.publicKey }, randomBytes(16), at);

/** A wall post `author` wrote for `owner`'s wall, carried since `carriedAt`. Ids are chosen by the test. */
function carried(id: string, author: Identity, owner: Identity, carriedAt: number, bytes = 100): CarriedItem {
  const draft = { kind: 'wallPost' as const, body: { text: `carried ${id}`, media: [] } };
  const entry = signDraft(author, owner.handle, owner.publicKey, draft, { randomBytes, now: () => carriedAt });
  if (!entry.ok) throw new Error(entry.reason);
  return { id, wall: owner.handle, entry: entry.value, bytes, carriedAt };
}

const byWall = <T extends { wall: string }>(items: T[]) => [...items].sort((a, b) => (a.wall < b.wall ? -1 : 1));
const ids = async (store: RelayStore, wall: string) => (await store.carried(wall)).map((c) => c.id);

// One contract for every RelayStore: the in-memory one is the reference the IndexedDB one follows.
describe.each([
  ['in memory', async () => createMemoryRelayStore()],
  ['on IndexedDB', idbStore],
] as const)('the relay store %s', (_name, makeStore) => {
  it('keeps one pass per wall: a put replaces the wall’s pass and a drop forgets it', async () => {
    const store = await makeStore();
    const older = passOf(alice, bob, 1);
    const newer = passOf(alice, bob, 2);
    const fromCarol = passOf(carol, bob, 1);

    await store.putPass(older);
    await store.putPass(fromCarol);
    await store.putPass(newer);

    expect(byWall(await store.passes())).toEqual([newer, fromCarol]);
    await store.dropPass('alice');
    expect(await store.passes()).toEqual([fromCarol]);
  });

  it('keeps the pass last given to each reader, replaced by reader and dropped by reader', async () => {
    const store = await makeStore();
    const first = passOf(alice, bob, 1);
    const renewed = passOf(alice, bob, 2);
    const toCarol = passOf(alice, carol, 1);

    await store.putIssued(first);
    await store.putIssued(toCarol);
    await store.putIssued(renewed);

    expect(await store.issued('bob')).toEqual(renewed);
    await store.dropIssued('bob');
    expect(await store.issued('bob')).toBeNull();
    expect(await store.issued('carol')).toEqual(toCarol);
  });

  it('keeps one revocation list per wall, the last put replacing the one before', async () => {
    const store = await makeStore();
    const first = issueRevocations(alice, null, [{ tag: randomBytes(16), until: 50 }], 1);
    const second = issueRevocations(alice, first, [{ tag: randomBytes(16), until: 60 }], 2);
    const carols = issueRevocations(carol, null, [], 1);

    await store.putRevocations(first);
    await store.putRevocations(carols);
    await store.putRevocations(second);

    expect(await store.revocations('alice')).toEqual(second);
    expect(await store.revocations('carol')).toEqual(carols);
    expect(await store.revocations('bob')).toBeNull();
  });

  it('lists a wall’s carried submissions oldest first, and no other wall’s', async () => {
    const store = await makeStore();
    const [x1, y1, x2] = [carried('x1', bob, alice, 10), carried('y1', bob, carol, 15), carried('x2', bob, alice, 20)];
    for (const item of [x1, y1, x2]) await store.addCarried(item);

    expect(await store.carried('alice')).toEqual([x1, x2]);
    expect(await ids(store, 'carol')).toEqual(['y1']);
    expect(await store.carried('bob')).toEqual([]);
  });

  it('keeps the order items were carried in when they share a carriedAt (one carry batch)', async () => {
    const store = await makeStore();
    for (const id of ['c', 'a', 'b']) await store.addCarried(carried(id, bob, alice, 10));

    expect(await ids(store, 'alice')).toEqual(['c', 'a', 'b']);
  });

  it('replaces a carried item with the same id in its place', async () => {
    const store = await makeStore();
    await store.addCarried(carried('x1', bob, alice, 10, 100));
    await store.addCarried(carried('x2', bob, alice, 20, 100));

    await store.addCarried(carried('x1', bob, alice, 10, 300));

    expect((await store.carried('alice')).map((c) => [c.id, c.bytes])).toEqual([['x1', 300], ['x2', 100]]);
    expect(await store.carriedTotals()).toEqual({ count: 2, bytes: 400 });
  });

  it('counts the carried items and their bytes over all walls', async () => {
    const store = await makeStore();
    expect(await store.carriedTotals()).toEqual({ count: 0, bytes: 0 });

    await store.addCarried(carried('x1', bob, alice, 10, 120));
    await store.addCarried(carried('x2', bob, alice, 11, 120));
    await store.addCarried(carried('y1', carol, bob, 12, 4000));

    expect(await store.carriedTotals()).toEqual({ count: 3, bytes: 4240 });
  });

  it('lists a wall’s carried ids and counts each author’s carried items without reading them', async () => {
    const store = await makeStore();
    await store.addCarried(carried('x1', bob, alice, 10));
    await store.addCarried(carried('x2', carol, alice, 11));
    await store.addCarried(carried('y1', bob, carol, 12));

    expect((await store.carriedIds('alice')).sort()).toEqual(['x1', 'x2']);
    expect(await store.carriedIds('dave')).toEqual([]);
    expect(await store.carriedCount('bob')).toBe(2);
    expect(await store.carriedCount('carol')).toBe(1);
    expect(await store.carriedCount('dave')).toBe(0);
  });

  it('forgets what was carried since before a time, over all walls', async () => {
    const store = await makeStore();
    await store.addCarried(carried('x1', bob, alice, 10));
    await store.addCarried(carried('y1', bob, carol, 12));
    await store.addCarried(carried('x2', bob, alice, 20));

    await store.dropCarriedBefore(20);

    expect(await ids(store, 'alice')).toEqual(['x2']);
    expect(await ids(store, 'carol')).toEqual([]);
  });

  it('removes carried items only within the wall it is told', async () => {
    const store = await makeStore();
    await store.addCarried(carried('x1', bob, alice, 10));
    await store.addCarried(carried('x2', bob, alice, 11));
    await store.addCarried(carried('y1', bob, carol, 12));

    await store.removeCarried('alice', ['x1', 'y1', 'unknown']);

    expect(await ids(store, 'alice')).toEqual(['x2']);
    expect(await ids(store, 'carol')).toEqual(['y1']);
    expect(await store.carriedTotals()).toEqual({ count: 2, bytes: 200 });
    await store.removeCarried('alice', []);
    expect(await ids(store, 'alice')).toEqual(['x2']);
  });

  it('hands out copies: changing a value it was given or returned changes nothing it holds', async () => {
    const store = await makeStore();
    const pass = passOf(alice, bob, 1);
    const list = issueRevocations(alice, null, [{ tag: randomBytes(16), until: 50 }], 1);
    const item = carried('x1', bob, alice, 10);
    const kept = structuredClone({ pass, list, item });
    await store.putPass(pass);
    await store.putIssued(pass);
    await store.putRevocations(list);
    await store.addCarried(item);

    pass.tag.fill(0);
    list.revoked[0]!.until = 0;
    item.entry.body!.fill(0);
    (await store.passes())[0]!.sig.fill(0);
    (await store.issued('bob'))!.readerKey.fill(0);
    (await store.revocations('alice'))!.revoked.pop();
    const [out] = await store.carried('alice');
    out!.entry.header.author = 'mallory';
    out!.bytes = 1;

    expect(await store.passes()).toEqual([kept.pass]);
    expect(await store.issued('bob')).toEqual(kept.pass);
    expect(await store.revocations('alice')).toEqual(kept.list);
    expect(await store.carried('alice')).toEqual([kept.item]);
    expect(await store.carriedTotals()).toEqual({ count: 1, bytes: 100 });
  });
});

describe('the IndexedDB relay store on a full disk', () => {
  afterEach(() => vi.restoreAllMocks());

  const diskFull = () =>
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });

  it('rejects a pass it could not store with StorageFullError and keeps the one it had', async () => {
    const store = await idbStore();
    const kept = passOf(alice, bob, 1);
    await store.putPass(kept);
    diskFull();

    await expect(store.putPass(passOf(alice, bob, 2))).rejects.toBeInstanceOf(StorageFullError);
    vi.restoreAllMocks();
    expect(await store.passes()).toEqual([kept]);
  });

  it('rejects a carried item it could not store with StorageFullError and carries nothing of it', async () => {
    const store = await idbStore();
    diskFull();

    await expect(store.addCarried(carried('x1', bob, alice, 10))).rejects.toBeInstanceOf(StorageFullError);
    vi.restoreAllMocks();
    expect(await store.carriedTotals()).toEqual({ count: 0, bytes: 0 });
  });
});
