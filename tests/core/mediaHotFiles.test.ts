import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { LIMITS } from '../../core/limits';
import { withHotFiles } from '../../core/mediaHotFiles';
import { createMemoryMediaStore, type MediaStore } from '../../core/mediaStore';
import { describeMediaStoreContract } from './support/mediaStoreContract';
import { makePhoto, nameOf } from './support/photos';

const CHUNK = LIMITS.mediaChunkBytes;

describeMediaStoreContract('the media store with hot files', async () => withHotFiles(createMemoryMediaStore(), { now: () => 0 }));

/** The in-memory store, counting the chunk reads that reach it. */
function countingStore() {
  const store = createMemoryMediaStore();
  let reads = 0;
  const counted: MediaStore = {
    ...store,
    readChunks: (file, from, count) => (reads++, store.readChunks(file, from, count)),
    readChunk: (file, index) => (reads++, store.readChunk(file, index)),
  };
  return { store: counted, reads: () => reads };
}

/** A photo of `chunks` chunks (and 123 bytes more) posted as an own photo is: referenced, then written whole. */
async function posted(store: MediaStore, seed: string, chunks = 3) {
  const { photo, full } = makePhoto(seed, chunks);
  await store.addReference(photo.full, { wall: 'alice', entry: `e-${seed}`, thumbnail: false });
  await store.putFile(photo.full, full);
  return { name: nameOf(photo.full), full, entry: `e-${seed}` };
}

describe('photo files kept in memory to serve (core/mediaHotFiles.ts)', () => {
  it('serves the chunks of a file written whole here from memory, the same bytes the store holds', async () => {
    const { store, reads } = countingStore();
    const hot = withHotFiles(store, { now: () => 0 });
    const { name, full } = await posted(hot, 'beach');

    const chunks = await hot.readChunks(name, 1, 5);
    const one = await hot.readChunk(name, 3);

    expect(reads()).toBe(0);
    expect(chunks.map((c) => c.length)).toEqual([CHUNK, CHUNK, 123]);
    expect(bytesEqual(chunks[0]!, full.subarray(CHUNK, 2 * CHUNK))).toBe(true);
    expect(bytesEqual(one!, full.subarray(3 * CHUNK))).toBe(true);
    expect(await hot.readChunk(name, 4)).toBeNull();
    expect(await hot.readChunks(name, -1, 2)).toEqual([]);
    expect(await hot.readChunks(name, 4, 2)).toEqual([]);
    expect(hot.hotBytes).toBe(full.length);
  });

  it('hands out copies: changing a served chunk changes nothing kept', async () => {
    const hot = withHotFiles(createMemoryMediaStore(), { now: () => 0 });
    const { name, full } = await posted(hot, 'beach');
    (await hot.readChunks(name, 0, 1))[0]!.fill(0);
    expect(bytesEqual((await hot.readChunks(name, 0, 1))[0]!, full.subarray(0, CHUNK))).toBe(true);
  });

  it('never serves a file freed with its last post, nor keeps a file nothing refers to', async () => {
    const { store, reads } = countingStore();
    const hot = withHotFiles(store, { now: () => 0 });
    const { name, entry } = await posted(hot, 'beach');

    await hot.dropReferences('alice', [entry]);

    expect(await hot.readChunks(name, 0, 2)).toEqual([]);
    expect(await hot.readChunk(name, 0)).toBeNull();
    expect(hot.hotBytes).toBe(0);
    const { photo, full } = makePhoto('unreferenced', 2);
    await hot.putFile(photo.full, full);
    expect(hot.hotBytes).toBe(0);
    expect(reads()).toBe(2); // both reads above went to the store
  });

  it('keeps at most its bytes, letting the least recently used file go first, and none larger than all of it', async () => {
    const { store, reads } = countingStore();
    const size = 3 * CHUNK + 123;
    const hot = withHotFiles(store, { now: () => 0, bytes: 2 * size });
    const a = await posted(hot, 'a');
    const b = await posted(hot, 'b');
    await hot.readChunks(a.name, 0, 1); // a is now the most recently used
    const c = await posted(hot, 'c');

    expect(hot.hotBytes).toBe(2 * size);
    await hot.readChunks(a.name, 0, 1);
    await hot.readChunks(c.name, 0, 1);
    expect(reads(), 'a and c from memory').toBe(0);
    await hot.readChunks(b.name, 0, 1);
    expect(reads(), 'b was let go').toBe(1);

    const large = await posted(hot, 'large', 8);
    expect(hot.hotBytes, 'a file larger than the memory is not kept, and lets nothing go').toBe(2 * size);
    await hot.readChunks(large.name, 0, 1);
    expect(reads()).toBe(2);
  });

  it('lets a file go once it has not been used for its time', async () => {
    let now = 0;
    const { store, reads } = countingStore();
    const hot = withHotFiles(store, { now: () => now, ttlMs: 1000 });
    const { name } = await posted(hot, 'beach');
    now = 900;
    await hot.readChunks(name, 0, 1); // a use: kept until 1900
    now = 1800;
    await hot.readChunks(name, 0, 1);
    expect(reads()).toBe(0);
    now = 2801;
    expect(hot.hotBytes).toBe(0);
    expect((await hot.readChunks(name, 0, 1)).length).toBe(1);
    expect(reads()).toBe(1);
  });

  it('lets files nobody asks for go on a timer, and stops the timer once it holds none', async () => {
    let now = 0;
    const timers: { run: () => void; at: number }[] = [];
    const hot = withHotFiles(createMemoryMediaStore(), { now: () => now, ttlMs: 1000, later: (run, ms) => void timers.push({ run, at: now + ms }) });
    await posted(hot, 'a');
    now = 500;
    await posted(hot, 'b');
    expect(timers.map((t) => t.at), 'one timer for all').toEqual([1000]);

    now = 1000;
    timers.shift()!.run();
    expect(hot.hotBytes, 'a went, b stays').toBe(3 * LIMITS.mediaChunkBytes + 123);
    expect(timers.map((t) => t.at)).toEqual([2000]);
    now = 2000;
    timers.shift()!.run();
    expect(hot.hotBytes).toBe(0);
    expect(timers).toEqual([]);
  });
});
