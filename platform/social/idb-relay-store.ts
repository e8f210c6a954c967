import type { IDBPObjectStore } from 'idb';
import type { CarriedItem, RelayStore } from '@/core/relay';
import type { CarriedRecordV4, ContentDb, ContentSchema } from '../content-db';
import { guardStorage } from './storage-errors';

type CarriedStore = IDBPObjectStore<ContentSchema, ['carried'], 'carried', 'readwrite'>;

/** Every `byWall` key of `wall`'s carried items. */
const ofWall = (wall: string) => IDBKeyRange.bound([wall], [wall, []]);

function fromRecord({ order: _order, ...item }: CarriedRecordV4): CarriedItem {
  return item;
}

/**
 * The core `RelayStore` on the content database, behaving like `createMemoryRelayStore` (the
 * contract tests run over both). Reads are structured clones, so every value returned is a copy;
 * a full disk rejects a write with `StorageFullError`.
 */
export function createIdbRelayStore(db: ContentDb): RelayStore {
  const write = guardStorage;

  /** One read-write transaction over `carried`; a failed request aborts all of it. */
  const changeCarried = (work: (store: CarriedStore) => Promise<void>): Promise<void> =>
    write(async () => {
      const tx = db.transaction('carried', 'readwrite');
      // Both awaited together, so an abort after a failed request is not an unhandled rejection.
      await Promise.all([work(tx.store), tx.done]);
    });

  return {
    passes: () => db.getAll('passes'),
    putPass: (pass) => write(async () => void (await db.put('passes', pass))),
    dropPass: (wall) => write(() => db.delete('passes', wall)),
    issued: async (reader) => (await db.get('issuedPasses', reader)) ?? null,
    putIssued: (pass) => write(async () => void (await db.put('issuedPasses', pass))),
    dropIssued: (reader) => write(() => db.delete('issuedPasses', reader)),
    revocations: async (wall) => (await db.get('revocations', wall)) ?? null,
    putRevocations: (list) => write(async () => void (await db.put('revocations', list))),

    async carried(wall) {
      return (await db.getAllFromIndex('carried', 'byWall', ofWall(wall))).map(fromRecord);
    },
    async carriedIds(wall) {
      return db.getAllKeysFromIndex('carried', 'byWall', ofWall(wall));
    },
    carriedCount: (author) => db.countFromIndex('carried', 'byAuthor', author),
    async carriedTotals() {
      const tx = db.transaction('carried');
      const count = tx.store.count();
      let bytes = 0;
      // The `byBytes` keys are the sizes: summing them reads no carried entry.
      let cursor = await tx.store.index('byBytes').openKeyCursor();
      for (; cursor; cursor = await cursor.continue()) bytes += cursor.key;
      return { count: await count, bytes };
    },
    addCarried: (item) =>
      changeCarried(async (store) => {
        // Replacing an item keeps its place, as the in-memory store's Map does.
        const existing = await store.get(item.id);
        let order = existing?.wall === item.wall ? existing.order : null;
        if (order === null) {
          const last = await store.index('byWall').openKeyCursor(ofWall(item.wall), 'prev');
          order = last ? last.key[1] + 1 : 0;
        }
        await store.put({ ...item, order });
      }),
    dropCarriedBefore: (at) =>
      changeCarried(async (store) => {
        for (const id of await store.index('byTime').getAllKeys(IDBKeyRange.upperBound(at, true))) await store.delete(id);
      }),
    removeCarried: (wall, ids) =>
      changeCarried(async (store) => {
        const remove = new Set(ids);
        for (const id of await store.index('byWall').getAllKeys(ofWall(wall))) if (remove.has(id)) await store.delete(id);
      }),
  };
}
