import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '@/core/bytes';
import { LIMITS } from '@/core/limits';
import { decodeMessage } from '@/core/messages';
import { StorageFullError } from '@/core/replica';
import type { FrameTap } from '@/core/transport';
import { openContentDb } from '@/platform/content-db';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { describeMediaStoreContract } from '../core/support/mediaStoreContract';
import { makePhoto, nameOf, postPhotos } from '../core/support/photos';
import { befriend, connect, makeUser } from '../core/support/world';

const CHUNK = LIMITS.mediaChunkBytes;
let counter = 0;
const freshName = () => `media-db-${++counter}-${Math.random()}`;

describeMediaStoreContract('the IndexedDB media store', async () => createIdbMediaStore(await openContentDb(freshName())));

describe('the IndexedDB media store', () => {
  it('resumes from the first missing chunk after the database is closed and opened again', async () => {
    const name = freshName();
    const { photo, full } = makePhoto('beach', 4);
    const file = nameOf(photo.full);
    const before = await openContentDb(name);
    const store = createIdbMediaStore(before);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
    await store.putChunk(file, 0, full.subarray(0, CHUNK));
    await store.putChunk(file, 1, full.subarray(CHUNK, 2 * CHUNK));
    before.close();

    const after = createIdbMediaStore(await openContentDb(name));

    expect(await after.firstMissing(file)).toBe(2);
    expect((await after.wanted()).map((w) => nameOf(w.ref))).toEqual([file]);
  });

  it('never holds more than a file’s signed size: chunks of the wrong length or past the end are dropped', async () => {
    const store = createIdbMediaStore(await openContentDb(freshName()));
    const { photo, full } = makePhoto('beach', 1); // one full chunk and 123 bytes
    const file = nameOf(photo.full);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });

    await store.putChunk(file, 0, new Uint8Array(CHUNK - 1));
    await store.putChunk(file, 1, new Uint8Array(CHUNK));
    await store.putChunk(file, 2, new Uint8Array(123));
    await store.putChunk(file, -1, new Uint8Array(CHUNK));
    await store.putChunk(file, 0.5, new Uint8Array(CHUNK));
    expect(await store.firstMissing(file)).toBe(0);
    await store.putChunks(file, 0, [full.subarray(0, CHUNK), new Uint8Array(CHUNK)]);
    expect(await store.firstMissing(file), 'a run keeps its good chunks and drops the one too long').toBe(1);

    await store.putChunk(file, 0, full.subarray(0, CHUNK));
    await store.putChunk(file, 1, full.subarray(CHUNK));
    expect(await store.assemble(file)).toEqual(full);
  });

  it('keeps a whole file only when its length and hash match its reference', async () => {
    const store = createIdbMediaStore(await openContentDb(freshName()));
    const { photo, full } = makePhoto('beach', 1);
    const file = nameOf(photo.full);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });

    await store.putFile(photo.full, full.subarray(1));
    const forged = full.slice();
    forged[5]! ^= 1;
    await store.putFile(photo.full, forged);
    expect(await store.completeSize(file)).toBeNull();

    await store.putFile(photo.full, full);
    expect(await store.completeSize(file)).toBe(full.length);
  });

  it('does not mark a file complete while a chunk is missing', async () => {
    const store = createIdbMediaStore(await openContentDb(freshName()));
    const { photo, full } = makePhoto('beach', 1);
    const file = nameOf(photo.full);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
    await store.putChunk(file, 0, full.subarray(0, CHUNK));

    await store.complete(file);

    expect(await store.completeSize(file)).toBeNull();
  });

  it('stores a chunk’s own bytes, not the whole buffer a subarray points into', async () => {
    const db = await openContentDb(freshName());
    const store = createIdbMediaStore(db);
    const { photo, full } = makePhoto('beach', 3);
    const file = nameOf(photo.full);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });

    await store.putChunk(file, 1, full.subarray(CHUNK, 2 * CHUNK));

    const row = await db.get('mediaChunks', [file, 1]);
    expect(row?.bytes.buffer.byteLength).toBe(CHUNK);
  });

  it('takes concurrent chunks and references of one file without losing any', async () => {
    const store = createIdbMediaStore(await openContentDb(freshName()));
    const { photo, full } = makePhoto('lake', 6);
    const file = nameOf(photo.full);
    await Promise.all(['e1', 'e2', 'e3'].map((entry) => store.addReference(photo.full, { wall: 'alice', entry, thumbnail: false })));

    await Promise.all(photo.full.chunks.map((_, i) => store.putChunk(file, i, full.subarray(i * CHUNK, (i + 1) * CHUNK))));

    expect(await store.firstMissing(file)).toBe(photo.full.chunks.length);
    expect((await store.wanted())[0]!.uses).toHaveLength(3);
  });
});

describe('a photo transfer between two IndexedDB media stores', () => {
  it('carries a photo over a sync session, resumes it after a restart from the first missing chunk, and completes it', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { media: true });
    await befriend(alice, bob);
    alice.media!.store = createIdbMediaStore(await openContentDb(freshName()));
    const bobDb = freshName();
    const firstDb = await openContentDb(bobDb);
    bob.media!.store = createIdbMediaStore(firstDb);
    const beach = makePhoto('beach', 12);
    await postPhotos(alice, 'At the beach', [beach]);
    const full = nameOf(beach.photo.full);
    let sent = 0;
    const cut: FrameTap = (frame, from) => {
      const m = decodeMessage(frame);
      if (from === 'a' && m.ok && m.value.type === 'chunk' && bytesEqual(m.value.file, beach.photo.full.sha256) && ++sent > 5) return [];
      return [frame];
    };
    const first = await connect(alice, bob, { tap: cut, allowUnanswered: true });
    first.a.close();
    await first.settle();
    firstDb.close();

    bob.media!.store = createIdbMediaStore(await openContentDb(bobDb));
    expect(await bob.media!.store.firstMissing(full)).toBe(5);
    const asked: number[] = [];
    const watch: FrameTap = (frame, from) => {
      const m = decodeMessage(frame);
      if (from === 'b' && m.ok && m.value.type === 'fetch' && bytesEqual(m.value.file, beach.photo.full.sha256)) asked.push(m.value.from);
      return [frame];
    };
    await connect(alice, bob, { tap: watch });

    expect(asked[0]).toBe(5);
    const assembled = await bob.media!.store.assemble(full);
    expect(assembled !== null && bytesEqual(assembled, beach.full)).toBe(true);
    expect(await bob.media!.store.completeSize(full)).toBe(beach.full.length);
  });
});

describe('the IndexedDB media store on a full disk', () => {
  it('rejects a write with the core’s StorageFullError, which ends the session as storage full', async () => {
    const db = await openContentDb(freshName());
    const store = createIdbMediaStore(db);
    const { photo, full } = makePhoto('beach', 1);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
    // The browser refuses every write transaction, as IndexedDB does over its quota.
    const transaction = db.transaction.bind(db);
    db.transaction = ((stores: never, mode?: IDBTransactionMode) => {
      if (mode === 'readwrite') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return transaction(stores, mode);
    }) as typeof db.transaction;

    await expect(store.putChunk(nameOf(photo.full), 0, full.subarray(0, CHUNK))).rejects.toBeInstanceOf(StorageFullError);
    await expect(store.putFile(photo.full, full)).rejects.toBeInstanceOf(StorageFullError);
    expect(await store.firstMissing(nameOf(photo.full))).toBe(0);
  });
});
