import type { StoreNames } from 'idb';
import { toHex } from '@/core/bytes';
import type { FeedChange } from '@/core/feed';
import type { MediaRef } from '@/core/media';
import type { MediaUse } from '@/core/mediaStore';
import type { Replica, StoredEntry, WallWrite } from '@/core/replica';
import type { Result } from '@/core/result';
import { keysUnder, type ContentDb, type ContentSchema, type EntryRecordV2, type FeedItemV2, type ProfileRecordV5 } from '../content-db';
import { recordUse, releaseUses } from './idb-media-store';
import type { ReplicaFaults } from './replica-faults';
import { photoUses } from './media-uses';
import { storageError } from './storage-errors';

const RECOVERING_KEY = 'recovering';

function toRecord(entry: StoredEntry): EntryRecordV2 {
  const record: EntryRecordV2 = { ...entry, wall: entry.header.wall };
  if (entry.header.target) record.target = toHex(entry.header.target);
  return record;
}

function fromRecord(record: EntryRecordV2): StoredEntry {
  const { wall: _wall, target: _target, ...entry } = record;
  return entry;
}

type Table<T> = { get(key: string): Promise<T | undefined>; put(row: T): Promise<unknown>; delete(key: string): Promise<void> };

/** Moves the feed index and the profiles as the core's feed rules say (core/feed.ts). */
async function applyFeedChange(feed: Table<FeedItemV2>, profiles: Table<ProfileRecordV5>, change: FeedChange): Promise<void> {
  switch (change.op) {
    case 'profile': {
      const { op: _op, ...profile } = change;
      if (((await profiles.get(change.wall))?.seq ?? 0) < change.seq) await profiles.put(profile);
      return;
    }
    case 'put':
      await feed.put(change.row);
      return;
    case 'edit': {
      const row = await feed.get(change.id);
      if (!row) return;
      const { photos: _old, ...rest } = row;
      await feed.put({ ...rest, text: change.text, edited: true, ...(change.photos ? { photos: change.photos } : {}) });
      return;
    }
    case 'fill': {
      const row = await feed.get(change.id);
      if (row && row.text === null) await feed.put({ ...row, text: change.text, ...(change.photos ? { photos: change.photos } : {}) });
      return;
    }
    case 'remove':
      await feed.delete(change.id);
  }
}

/** The photo files the entries a write appends refer to (as core/syncMedia.ts keeps them once stored). */
function photoUsesOf(write: WallWrite): { ref: MediaRef; use: MediaUse }[] {
  return write.append.flatMap((e) => photoUses(write.wall, e.id, e.header.kind, e.body));
}

const WALL_AND_MEDIA: StoreNames<ContentSchema>[] = ['walls', 'entries', 'feed', 'profiles', 'mediaFiles', 'mediaChunks', 'mediaUses'];

const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

/** Aborts a write's transaction (nothing of it stays) and says why it failed. */
async function abortedWith(tx: { done: Promise<void>; abort(): void }, queued: Promise<unknown>[], error: unknown): Promise<unknown> {
  tx.done.catch(() => undefined);
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
  // The request that failed says why (a full disk, a duplicate); the others only say "aborted".
  const settled = await Promise.allSettled(queued);
  const cause = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isAbort(r.reason));
  return storageError(cause ? cause.reason : error);
}

/**
 * The core `Replica` on the content database. Each `commit` — one incoming batch or one own
 * write — is one IndexedDB transaction over the wall state, its entries and the feed index,
 * so a failure (a quota error, a closed tab) leaves nothing half-applied. `faults` exists for tests only
 * (./fault-switch.ts): the product never passes it.
 */
export function createIdbReplica(db: ContentDb, faults?: ReplicaFaults): Replica {
  return {
    async wallState(wall) {
      return (await db.get('walls', wall)) ?? null;
    },
    async entriesAfter(wall, afterSeq, limit) {
      if (limit <= 0) return [];
      const range = IDBKeyRange.bound([wall, afterSeq], [wall, Number.MAX_SAFE_INTEGER], true, false);
      return (await db.getAll('entries', range, limit)).map(fromRecord);
    },
    async entryById(wall, id) {
      const record = await db.getFromIndex('entries', 'byId', [wall, id]);
      return record ? fromRecord(record) : null;
    },
    async entriesTargeting(wall, targetId) {
      const records = await db.getAllFromIndex('entries', 'byTarget', [wall, targetId]);
      return records.sort((a, b) => a.seq - b.seq).map(fromRecord);
    },
    async commit(write: WallWrite): Promise<Result<void>> {
      // A fork's repair (docs/protocol.md §8 Forks) appends from `dropFrom`, after dropping what was held there.
      const base = write.dropFrom === undefined ? write.expectedSeq : write.dropFrom - 1;
      if (base < 0 || base > write.expectedSeq) return { ok: false, reason: 'the dropped entries are not held' };
      if (write.append.some((e, i) => e.seq !== base + i + 1)) {
        return { ok: false, reason: 'append is not contiguous' };
      }
      await faults?.around('beforeStore', write);
      const photos = photoUsesOf(write);
      const removed = write.feed.flatMap((change) => (change.op === 'remove' ? [change.id] : []));
      // A late body may bring photos too (its kind is read inside): rare, so only then is the scope widened.
      const media = photos.length > 0 || removed.length > 0 || write.fillBodies.length > 0;
      const stores: StoreNames<ContentSchema>[] = ['walls', 'entries', 'feed', 'profiles', ...(media ? (['mediaFiles', 'mediaChunks', 'mediaUses'] as const) : [])];
      // Chromium flushes each transaction to the disk by default; a pulled batch can be fetched again.
      const tx = db.transaction(stores, 'readwrite', { durability: write.refetchable ? 'relaxed' : 'default' });
      // Observed from the start: a request that fails while a read is awaited aborts it before `catch` runs.
      tx.done.catch(() => undefined);
      const queued: Promise<unknown>[] = [];
      const queue = (request: Promise<unknown>): void => {
        queued.push(request);
        request.catch(() => undefined); // seen through Promise.all or allSettled below
      };
      try {
        const walls = tx.objectStore('walls');
        const entries = tx.objectStore('entries');
        const feed = tx.objectStore('feed');
        const current = await walls.get(write.wall);
        if ((current?.seq ?? 0) !== write.expectedSeq) {
          tx.abort();
          await tx.done.catch(() => undefined);
          return { ok: false, reason: 'conflict' };
        }
        // Entries appended again keep their photo uses (recorded again below); those of entries not appended
        // again go with their feed rows, which the write's `remove` changes name.
        if (write.dropFrom !== undefined) await entries.delete(IDBKeyRange.bound([write.wall, write.dropFrom], [write.wall, Number.MAX_SAFE_INTEGER]));
        // Appends and new feed rows are queued without waiting for each: a transaction runs its
        // requests in order, and waiting for one at a time made a batch of 400 posts cost ~180 ms
        // in Chromium (bench:browser). Reads that decide a write still wait.
        for (const entry of write.append) queue(entries.add(toRecord(entry)));
        const uses = [...photos];
        for (const { id, body } of write.fillBodies) {
          const record = await entries.index('byId').get([write.wall, id]);
          if (record && !record.tombstoned) await entries.put({ ...record, body: body.slice() });
          if (record && !record.tombstoned) uses.push(...photoUses(write.wall, id, record.header.kind, body));
        }
        // In the same transaction: a crash right after it must not leave a stored photo that nothing wants.
        for (const { ref, use } of uses) await recordUse(tx.objectStore('mediaFiles'), tx.objectStore('mediaUses'), ref, use);
        for (const id of write.tombstone) {
          const record = await entries.index('byId').get([write.wall, id]);
          if (record) await entries.put({ ...record, body: null, tombstoned: true });
        }
        const profiles = tx.objectStore('profiles');
        for (const change of write.feed) {
          if (change.op === 'put') queue(feed.put(change.row));
          else await applyFeedChange(feed, profiles, change);
        }
        // A deleted post's photos and its edits' are freed with it (as core/syncMedia.ts does once stored).
        for (const id of removed) {
          const edits = (await entries.index('byTarget').getAll([write.wall, id])).filter((e) => e.header.kind === 'edit').map((e) => e.id);
          await releaseUses(tx, [id, ...edits].map((entry) => keysUnder(write.wall, entry)));
        }
        queue(walls.put(write.state));
        faults?.inside(write);
        await Promise.all([...queued, tx.done]);
      } catch (error) {
        throw await abortedWith(tx, queued, error);
      }
      await faults?.around('afterStore', write);
      return { ok: true, value: undefined };
    },
    async dropWall(wall) {
      const tx = db.transaction(WALL_AND_MEDIA, 'readwrite');
      // The wall's photos go with it, in the same transaction (a crash between the two would keep them).
      await releaseUses(tx, [keysUnder(wall)]);
      await tx.objectStore('walls').delete(wall);
      await tx.objectStore('profiles').delete(wall);
      await tx.objectStore('entries').delete(IDBKeyRange.bound([wall, 0], [wall, Number.MAX_SAFE_INTEGER]));
      const feed = tx.objectStore('feed');
      const range = IDBKeyRange.bound([wall], [wall, []]);
      for (const id of await feed.index('byWall').getAllKeys(range)) await feed.delete(id);
      await tx.done;
    },
    async friend(handle) {
      return (await db.get('friends', handle)) ?? null;
    },
    async friends() {
      return db.getAll('friends');
    },
    async putFriend(friend) {
      await db.put('friends', friend);
    },
    async removeFriend(handle) {
      await db.delete('friends', handle);
    },
    async outbox(wall) {
      const records = await db.getAllFromIndex('outbox', 'byWall', wall);
      return records.sort((a, b) => a.queuedAt - b.queuedAt).map(({ wall: _wall, ...item }) => item);
    },
    async addToOutbox(wall, item) {
      // A queued post's photos are wanted from the moment it is queued (the friend fetches them from their
      // author): in the same transaction, so a crash right after cannot leave the post without them.
      const uses = photoUses(wall, item.id, item.entry.header.kind, item.entry.body);
      const tx = db.transaction(uses.length ? ['outbox', 'mediaFiles', 'mediaUses'] : ['outbox'], 'readwrite');
      const outbox = tx.objectStore('outbox');
      if (!(await outbox.get([wall, item.id]))) {
        await outbox.add({ ...item, wall });
        for (const { ref, use } of uses) await recordUse(tx.objectStore('mediaFiles'), tx.objectStore('mediaUses'), ref, use);
      }
      await tx.done;
    },
    async removeFromOutbox(wall, ids) {
      const tx = db.transaction('outbox', 'readwrite');
      for (const id of ids) await tx.store.delete([wall, id]);
      await tx.done;
    },
    async recovering() {
      return (await db.get('meta', RECOVERING_KEY))?.value === true;
    },
    async setRecovering(value) {
      await db.put('meta', { key: RECOVERING_KEY, value });
    },
  };
}
