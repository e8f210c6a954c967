import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../../core/bytes';
import { LIMITS } from '../../../core/limits';
import type { MediaStore } from '../../../core/mediaStore';
import { makePhoto, nameOf } from './photos';

const CHUNK = LIMITS.mediaChunkBytes;

/**
 * What every `MediaStore` does (core/mediaStore.ts), run over the in-memory store here and over the
 * IndexedDB one in tests/extension/idb-media-store.test.ts.
 */
export function describeMediaStoreContract(label: string, open: () => Promise<MediaStore>): void {
  describe(`${label} (MediaStore contract)`, () => {
    it('holds an image once however many entries refer to it, and frees it with the last reference', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 1);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.addReference(photo.full, { wall: 'alice', entry: 'e2', thumbnail: false });
      await store.addReference(photo.full, { wall: 'bob', entry: 'e3', thumbnail: false });
      await store.putFile(photo.full, full);
      expect(await store.wallsReferencing(name)).toEqual(['alice', 'bob']);

      await store.dropReferences('alice', ['e1']);
      expect(await store.completeSize(name)).toBe(full.length);
      await store.dropWall('bob');
      expect(await store.wallsReferencing(name)).toEqual(['alice']);
      await store.dropReferences('alice', ['e2']);
      expect(await store.completeSize(name)).toBeNull();
      expect(await store.wallsReferencing(name)).toEqual([]);
      expect(await store.readChunk(name, 0)).toBeNull();
    });

    it('records no use for a reference that names a held file with another size or chunk list (a forgery)', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 2);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putFile(photo.full, full);
      const forged = { ...photo.full, size: photo.full.size + CHUNK, chunks: [...photo.full.chunks, photo.full.chunks[0]!] };
      const reordered = { ...photo.full, chunks: [...photo.full.chunks].reverse() };

      await store.addReference(forged, { wall: 'mallory', entry: 'm1', thumbnail: false });
      await store.addReference(reordered, { wall: 'mallory', entry: 'm2', thumbnail: false });

      expect(await store.wallsReferencing(name)).toEqual(['alice']);
      expect(await store.completeSize(name)).toBe(full.length);
      await store.dropWall('alice');
      expect(await store.completeSize(name)).toBeNull(); // nothing of mallory's kept it
    });

    it('keeps chunks of a file nothing refers to nowhere, and serves only complete files', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 1);
      const name = nameOf(photo.full);
      await store.putChunk(name, 0, full.subarray(0, CHUNK));
      expect(await store.firstMissing(name)).toBe(0);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putChunk(name, 0, full.subarray(0, CHUNK));
      expect(await store.firstMissing(name)).toBe(1);
      expect(await store.readChunk(name, 0)).toBeNull();
      expect(await store.completeSize(name)).toBeNull();
      expect(await store.assemble(name)).toBeNull();
      await store.putChunk(name, 1, full.subarray(CHUNK));
      expect(await store.firstMissing(name)).toBe(2);
      expect(await store.assemble(name)).toEqual(full);
      await store.complete(name);
      expect(await store.readChunk(name, 1)).toEqual(full.subarray(CHUNK));
      expect(await store.completeSize(name)).toBe(full.length);
      expect(await store.wanted()).toEqual([]);
    });

    it('reports the first missing chunk, not the count held, when chunks arrive out of order', async () => {
      const store = await open();
      const { photo, full } = makePhoto('lake', 3);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putChunk(name, 0, full.subarray(0, CHUNK));
      await store.putChunk(name, 2, full.subarray(2 * CHUNK, 3 * CHUNK));
      expect(await store.firstMissing(name)).toBe(1);
      expect(await store.assemble(name)).toBeNull();
    });

    it('lists each referenced file that is not complete with every use of it, once per use', async () => {
      const store = await open();
      const { photo, thumbnail } = makePhoto('beach', 1);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.addReference(photo.full, { wall: 'bob', entry: 'e9', thumbnail: false });
      await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'e1', thumbnail: true });
      await store.putFile(photo.thumbnail, thumbnail);

      const wanted = await store.wanted();

      expect(wanted).toHaveLength(1);
      expect(wanted[0]!.ref).toEqual(photo.full);
      expect(wanted[0]!.uses).toEqual(
        expect.arrayContaining([
          { wall: 'alice', entry: 'e1', thumbnail: false },
          { wall: 'bob', entry: 'e9', thumbnail: false },
        ]),
      );
      expect(wanted[0]!.uses).toHaveLength(2);
    });

    it('frees a partial file, chunks and all, when its last reference goes', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 2);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putChunk(name, 0, full.subarray(0, CHUNK));

      await store.dropReferences('alice', ['e1']);

      expect(await store.wanted()).toEqual([]);
      expect(await store.firstMissing(name)).toBe(0);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e2', thumbnail: false });
      expect(await store.firstMissing(name)).toBe(0);
    });

    it('lists the entries of a wall that refer to files, each once', async () => {
      const store = await open();
      const { photo } = makePhoto('beach', 1);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'e1', thumbnail: true });
      await store.addReference(photo.full, { wall: 'alice', entry: 'e2', thumbnail: false });
      await store.addReference(photo.full, { wall: 'bob', entry: 'e3', thumbnail: false });
      expect((await store.entriesReferencing('alice')).sort()).toEqual(['e1', 'e2']);
      expect(await store.entriesReferencing('carol')).toEqual([]);
    });

    it('drops only the named entries of the named wall', async () => {
      const store = await open();
      const { photo } = makePhoto('beach', 1);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.addReference(photo.full, { wall: 'bob', entry: 'e1', thumbnail: false });

      await store.dropReferences('alice', ['e1', 'e7']);
      expect(await store.wallsReferencing(name)).toEqual(['bob']);
      await store.dropWall('alice');
      expect(await store.wallsReferencing(name)).toEqual(['bob']);
      await store.dropWall('bob');
      expect(await store.wallsReferencing(name)).toEqual([]);
    });

    it('forgets the chunks of a discarded file but keeps wanting it', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 1);
      const name = nameOf(photo.full);
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putChunk(name, 0, full.subarray(0, CHUNK));
      await store.putChunk(name, 1, full.subarray(CHUNK));

      await store.discard(name);

      expect(await store.firstMissing(name)).toBe(0);
      expect(await store.assemble(name)).toBeNull();
      expect((await store.wanted()).map((w) => nameOf(w.ref))).toEqual([name]);
    });

    it('ignores a whole file nothing refers to, and a chunk for a complete one', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 1);
      const name = nameOf(photo.full);
      await store.putFile(photo.full, full);
      expect(await store.completeSize(name)).toBeNull();

      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putFile(photo.full, full);
      await store.putChunk(name, 0, new Uint8Array(CHUNK));
      expect(await store.readChunk(name, 0)).toEqual(full.subarray(0, CHUNK));
      expect(await store.readChunk(name, 2)).toBeNull();
    });

    it('keeps a run of chunks at once as one at a time would, and reads runs back only from a complete file', async () => {
      const store = await open();
      const { photo, full } = makePhoto('beach', 3); // 4 chunks, the last one short
      const name = nameOf(photo.full);
      const chunk = (i: number) => full.subarray(i * CHUNK, (i + 1) * CHUNK);
      // Byte by byte without a deep diff of 64 KiB arrays, which takes seconds.
      const run = async (read: Promise<Uint8Array[]>, ...want: number[]) => {
        const got = await read;
        return got.length === want.length && got.every((bytes, i) => bytesEqual(bytes, chunk(want[i]!)));
      };
      await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
      await store.putChunks(name, 1, [chunk(1), chunk(2)]);
      expect(await store.firstMissing(name)).toBe(0);
      await store.putChunks(name, 0, [chunk(0)]);
      expect(await store.firstMissing(name)).toBe(3);
      expect(await run(store.readChunks(name, 0, 3))).toBe(true);

      await store.putChunks(name, 3, [chunk(3)]);
      expect(bytesEqual((await store.assemble(name)) ?? new Uint8Array(0), full)).toBe(true);
      await store.complete(name);
      expect(await run(store.readChunks(name, 1, 2), 1, 2)).toBe(true);
      expect(await run(store.readChunks(name, 2, 16), 2, 3), 'fewer past the end').toBe(true);
      expect(await run(store.readChunks(name, 4, 1))).toBe(true);
      await store.putChunks(name, 0, [new Uint8Array(CHUNK)]);
      expect(await run(store.readChunks(name, 0, 1), 0), 'a complete file keeps its chunks').toBe(true);
    });
  });
}
