import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, toHex } from '@/core/bytes';
import { LIMITS } from '@/core/limits';
import { chunkCount, type MediaRef, sameMediaRef } from '@/core/media';
import type { MediaStore, MediaUse, WantedFile } from '@/core/mediaStore';
import type { IDBPTransaction, StoreNames } from 'idb';
import { keysUnder, type ContentDb, type ContentSchema, type MediaFileV6, type MediaUseV6 } from '../content-db';
import { guardStorage } from './storage-errors';

/** The size chunk `index` of a file of `size` bytes must have: full chunks, then the rest. */
export function chunkSize(size: number, index: number): number {
  return Math.min(LIMITS.mediaChunkBytes, size - index * LIMITS.mediaChunkBytes);
}

const toUse = (row: MediaUseV6): MediaUse => ({ wall: row.wall, entry: row.entry, thumbnail: row.thumbnail === 1 });

/**
 * The core `MediaStore` on the content database (stores `mediaFiles`, `mediaChunks`, `mediaUses`). Each
 * call is one transaction, so concurrent chunk writes and references of the same file never interleave
 * half-way. Chunks are kept one record each, so a transfer resumes from the first missing chunk after a
 * restart. What a file holds is bounded by its signed size: a chunk of the wrong index or length is
 * dropped, and a whole file is kept only when its length and hash match its reference. A full disk
 * rejects a write with the core's `StorageFullError`, as the replica does.
 */
export function createIdbMediaStore(db: ContentDb): MediaStore {
  const store = createStore(db);
  const guarded = <A extends unknown[]>(write: (...args: A) => Promise<void>) => (...args: A) => guardStorage(() => write(...args));
  return {
    ...store,
    addReference: guarded(store.addReference),
    dropReferences: guarded(store.dropReferences),
    dropWall: guarded(store.dropWall),
    putChunk: guarded(store.putChunk),
    putChunks: guarded(store.putChunks),
    complete: guarded(store.complete),
    discard: guarded(store.discard),
    putFile: guarded(store.putFile),
  };
}

type Rows<T> = { get(key: string): Promise<T | undefined>; put(row: T): Promise<unknown> };

/**
 * Records that `use` refers to the file `ref` names, in the transaction of `files` and `uses` (a replica's
 * commit records the photos of the entries it stores this way, so a crash never leaves a stored entry
 * whose photos nothing wants).
 */
export async function recordUse(files: Rows<MediaFileV6>, uses: Pick<Rows<MediaUseV6>, 'put'>, ref: MediaRef, use: MediaUse): Promise<void> {
  const name = toHex(ref.sha256);
  const held = await files.get(name);
  // §7.6: a reference that describes the file otherwise than the one first recorded is not recorded.
  if (held && !sameMediaRef(held.ref, ref)) return;
  if (!held) await files.put({ name, ref: structuredClone(ref), status: 'partial' });
  await uses.put({ wall: use.wall, entry: use.entry, name, thumbnail: use.thumbnail ? 1 : 0 });
}

const MEDIA_STORES: StoreNames<ContentSchema>[] = ['mediaFiles', 'mediaChunks', 'mediaUses'];

/** A transaction over (at least) the three media stores. */
export type MediaTx = IDBPTransaction<ContentSchema, StoreNames<ContentSchema>[], 'readwrite'>;

/**
 * Deletes the uses under `ranges` and frees, chunks and all, each file they were the last reference of
 * (partial ones too), in `tx`: a restart never leaves a file nothing refers to. A replica's commit frees
 * what the deletes it stores released this way, in its own transaction.
 */
export async function releaseUses(tx: MediaTx, ranges: IDBKeyRange[]): Promise<void> {
  const uses = tx.objectStore('mediaUses');
  const names = new Set<string>();
  for (const range of ranges) {
    for (const row of await uses.getAll(range)) names.add(row.name);
    await uses.delete(range);
  }
  for (const name of names) {
    if ((await uses.index('byName').count(name)) > 0) continue;
    await tx.objectStore('mediaChunks').delete(keysUnder(name));
    await tx.objectStore('mediaFiles').delete(name);
  }
}

function createStore(db: ContentDb): MediaStore {
  /** Drops the uses under `ranges`, in one transaction of its own (see releaseUses). */
  async function dropUses(ranges: IDBKeyRange[]): Promise<void> {
    const tx = db.transaction(MEDIA_STORES, 'readwrite');
    await releaseUses(tx, ranges);
    await tx.done;
  }

  /**
   * One transaction for consecutive chunks: a chunk of the wrong index or length is dropped, the others kept.
   * Relaxed durability, as for a pulled batch (idb-replica.ts): a chunk lost to a power cut is fetched again.
   */
  async function putChunks(file: string, from: number, chunks: readonly Uint8Array[]): Promise<void> {
    const tx = db.transaction(['mediaFiles', 'mediaChunks'], 'readwrite', { durability: 'relaxed' });
    const held = await tx.objectStore('mediaFiles').get(file);
    if (held?.status === 'partial') {
      const fits = (index: number, bytes: Uint8Array) =>
        Number.isInteger(index) && index >= 0 && index < chunkCount(held.ref.size) && bytes.length === chunkSize(held.ref.size, index);
      // All requests at once, then one wait; a copy each: a subarray would store its whole underlying buffer.
      const puts = chunks.flatMap((bytes, i) => (fits(from + i, bytes) ? [tx.objectStore('mediaChunks').put({ name: file, index: from + i, bytes: bytes.slice() })] : []));
      await Promise.all(puts);
    }
    await tx.done;
  }

  return {
    async addReference(ref, use) {
      const tx = db.transaction(['mediaFiles', 'mediaUses'], 'readwrite');
      await recordUse(tx.objectStore('mediaFiles'), tx.objectStore('mediaUses'), ref, use);
      await tx.done;
    },
    dropReferences: (wall, entries) => dropUses(entries.map((entry) => keysUnder(wall, entry))),
    dropWall: (wall) => dropUses([keysUnder(wall)]),
    async entriesReferencing(wall) {
      return [...new Set((await db.getAllKeys('mediaUses', keysUnder(wall))).map((key) => key[1]))];
    },
    async wallsReferencing(file) {
      return [...new Set((await db.getAllFromIndex('mediaUses', 'byName', file)).map((row) => row.wall))];
    },
    async wanted() {
      const tx = db.transaction(['mediaFiles', 'mediaUses']);
      const partial = await tx.objectStore('mediaFiles').index('byStatus').getAll('partial');
      const wanted: WantedFile[] = [];
      for (const file of partial) {
        const uses = await tx.objectStore('mediaUses').index('byName').getAll(file.name);
        wanted.push({ ref: file.ref, uses: uses.map(toUse) });
      }
      return wanted;
    },
    async firstMissing(file) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks']);
      const held = await tx.objectStore('mediaFiles').get(file);
      if (!held) return 0;
      const keys = await tx.objectStore('mediaChunks').getAllKeys(keysUnder(file));
      const count = chunkCount(held.ref.size);
      // Keys come in index order, so the first gap is where index and position part.
      for (let i = 0; i < count; i++) if (keys[i]?.[1] !== i) return i;
      return count;
    },
    putChunk: (file, index, bytes) => putChunks(file, index, [bytes]),
    putChunks,
    async assemble(file) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks']);
      const held = await tx.objectStore('mediaFiles').get(file);
      if (!held) return null;
      const chunks = await tx.objectStore('mediaChunks').getAll(keysUnder(file));
      if (chunks.length !== chunkCount(held.ref.size)) return null;
      const out = new Uint8Array(held.ref.size);
      for (const chunk of chunks) out.set(chunk.bytes, chunk.index * LIMITS.mediaChunkBytes);
      return out;
    },
    async complete(file) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks'], 'readwrite');
      const held = await tx.objectStore('mediaFiles').get(file);
      const chunks = held ? await tx.objectStore('mediaChunks').count(keysUnder(file)) : 0;
      // Never a complete file with a hole: it could be shown or served only in part.
      if (held && chunks === chunkCount(held.ref.size)) await tx.objectStore('mediaFiles').put({ ...held, status: 'complete' });
      await tx.done;
    },
    async discard(file) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks'], 'readwrite');
      const held = await tx.objectStore('mediaFiles').get(file);
      await tx.objectStore('mediaChunks').delete(keysUnder(file));
      if (held) await tx.objectStore('mediaFiles').put({ ...held, status: 'partial' });
      await tx.done;
    },
    async putFile(ref, bytes) {
      const name = toHex(ref.sha256);
      // Hashed before the transaction opens: a transaction closes when it waits on anything else.
      const matches = bytesEqual(sha256(bytes), ref.sha256);
      const tx = db.transaction(['mediaFiles', 'mediaChunks'], 'readwrite');
      const held = await tx.objectStore('mediaFiles').get(name);
      if (held && matches && bytes.length === held.ref.size) {
        const chunks = tx.objectStore('mediaChunks');
        await chunks.delete(keysUnder(name));
        for (let index = 0; index < chunkCount(bytes.length); index++) {
          const at = index * LIMITS.mediaChunkBytes;
          await chunks.put({ name, index, bytes: bytes.slice(at, at + LIMITS.mediaChunkBytes) });
        }
        await tx.objectStore('mediaFiles').put({ ...held, status: 'complete' });
      }
      await tx.done;
    },
    async readChunks(file, from, count) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks']);
      const held = await tx.objectStore('mediaFiles').get(file);
      if (held?.status !== 'complete' || !Number.isInteger(from) || from < 0 || !(count > 0)) return [];
      const rows = await tx.objectStore('mediaChunks').getAll(IDBKeyRange.bound([file, from], [file, from + count - 1]));
      // Consecutive from `from`: a chunk past a gap is not the one asked for.
      const run: Uint8Array[] = [];
      for (const row of rows) {
        if (row.index !== from + run.length) break;
        run.push(row.bytes);
      }
      return run;
    },
    async readChunk(file, index) {
      const tx = db.transaction(['mediaFiles', 'mediaChunks']);
      const held = await tx.objectStore('mediaFiles').get(file);
      if (held?.status !== 'complete' || !Number.isInteger(index) || index < 0) return null;
      return (await tx.objectStore('mediaChunks').get([file, index]))?.bytes ?? null;
    },
    async completeSize(file) {
      const held = await db.get('mediaFiles', file);
      return held?.status === 'complete' ? held.ref.size : null;
    },
  };
}
