import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { decodeMessage } from '../../core/messages';
import { pureSha256 } from '../../core/media';
import { createHashMemory, createRunningHashes } from '../../core/syncMediaRunningHash';
import type { FrameTap } from '../../core/transport';
import { makePhoto, nameOf, postPhotos } from './support/photos';
import { befriend, connect, makeUser, type User } from './support/world';

const piece = (i: number) => new Uint8Array(100).fill(i);
const whole = (n: number) => sha256(new Uint8Array(Array.from({ length: n }, (_, i) => [...piece(i)]).flat()));

const SIZE = 300; // three pieces of 100 bytes
type Hashes = ReturnType<typeof createRunningHashes>;

describe.each([
  ['held in memory and hashed at the end', SIZE],
  ['hashed as they come, without memory to hold them', SIZE - 1],
])('the running whole-file hash (core/syncMediaRunningHash.ts), chunks %s', (_, memoryBytes) => {
  const make = () => createRunningHashes(pureSha256, createHashMemory(memoryBytes));

  it('is the SHA-256 of the chunks fed in order from the first', async () => {
    const hashes = make();
    hashes.begin('f', 0, SIZE);
    for (let i = 0; i < 3; i++) hashes.add('f', i, piece(i));
    expect(await hashes.take('f', 3)).toEqual(whole(3));
    expect(await hashes.take('f', 3), 'taken once').toBeNull();
  });

  it.each([
    ['a chunk skipped', (h: Hashes) => [0, 2, 3].forEach((i) => h.add('f', i, piece(i)))],
    ['a chunk repeated', (h: Hashes) => [0, 1, 1, 2].forEach((i) => h.add('f', i, piece(i)))],
    ['fewer chunks than the file has', (h: Hashes) => [0, 1].forEach((i) => h.add('f', i, piece(i)))],
  ])('has no hash with %s: the file is read back instead', async (_, feed) => {
    const hashes = make();
    hashes.begin('f', 0, SIZE);
    feed(hashes);
    expect(await hashes.take('f', 3)).toBeNull();
  });

  it('has no hash for a file resumed from a later chunk', async () => {
    const hashes = make();
    hashes.begin('f', 1, SIZE);
    for (let i = 1; i < 3; i++) hashes.add('f', i, piece(i));
    expect(await hashes.take('f', 3)).toBeNull();
  });
});

describe('the memory for chunks held to hash files whole', () => {
  /** Records what is taken from and given back to a memory of `bytes`. */
  function watched(bytes: number) {
    const memory = createHashMemory(bytes);
    let held = 0;
    return {
      memory: { take: (n: number) => memory.take(n) && ((held += n), true), give: (n: number) => ((held -= n), memory.give(n)) },
      held: () => held,
    };
  }

  it.each([
    ['the hash is taken', async (h: Hashes) => void (await h.take('f', 3))],
    ['the file is dropped', async (h: Hashes) => h.drop('f')],
    ['a chunk comes out of order', async (h: Hashes) => h.add('f', 3, piece(3))],
    ['the session clears', async (h: Hashes) => h.clear()],
    ['the fetch starts again from the first chunk', async (h: Hashes) => h.begin('f', 0, SIZE)],
  ])('is given back when %s', async (_, end) => {
    const { memory, held } = watched(SIZE);
    const hashes = createRunningHashes(pureSha256, memory);
    hashes.begin('f', 0, SIZE);
    for (let i = 0; i < 2; i++) hashes.add('f', i, piece(i));
    expect(held()).toBe(SIZE);
    await end(hashes);
    expect(held()).toBe(_ === 'the fetch starts again from the first chunk' ? SIZE : 0);
  });

  it('is shared: a second file while the first is held is hashed as it comes, and is still right', async () => {
    const memory = createHashMemory(SIZE);
    const one = createRunningHashes(pureSha256, memory);
    const two = createRunningHashes(pureSha256, memory);
    let digests = 0;
    const counting = createRunningHashes(async (bytes) => (digests++, pureSha256(bytes)), memory);
    one.begin('f', 0, SIZE);
    two.begin('g', 0, SIZE);
    counting.begin('h', 0, SIZE);
    for (let i = 0; i < 3; i++) for (const [h, f] of [[one, 'f'], [two, 'g'], [counting, 'h']] as const) h.add(f, i, piece(i));
    expect(await two.take('g', 3)).toEqual(whole(3));
    expect(await counting.take('h', 3)).toEqual(whole(3));
    expect(digests, 'no memory was left for h: hashed as it came, not by the native digest').toBe(0);
    expect(await one.take('f', 3)).toEqual(whole(3));
    counting.begin('h', 0, SIZE);
    for (let i = 0; i < 3; i++) counting.add('h', i, piece(i));
    expect(await counting.take('h', 3)).toEqual(whole(3));
    expect(digests, 'memory given back by f: h is held and hashed once at the end').toBe(1);
  });
});

/** Counts bob's whole-file reads from his store. */
function countReads(u: User): { reads: () => number } {
  let reads = 0;
  const store = u.media!.store;
  u.media!.store = { ...store, assemble: (file) => (reads++, store.assemble(file)) };
  return { reads: () => reads };
}

async function friends() {
  const alice = makeUser('alice', 'alice', { media: true });
  const bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  return { alice, bob };
}

describe('checking a fetched file whole (docs/protocol.md §7.6)', () => {
  it('completes a file fetched from its first chunk without reading it back from storage', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 20);
    await postPhotos(alice, 'At the beach', [beach]);
    const { reads } = countReads(bob);

    await connect(alice, bob);

    const full = nameOf(beach.photo.full);
    expect(await bob.media!.store.completeSize(full)).toBe(beach.full.length);
    expect(bytesEqual((await bob.media!.store.assemble(full))!, beach.full)).toBe(true);
    expect(reads()).toBe(1); // the check just above
  });

  it('reads a file resumed from a later chunk back, and completes it when it matches', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 20);
    await postPhotos(alice, 'At the beach', [beach]);
    let sent = 0;
    const cut: FrameTap = (frame, from) => {
      const m = decodeMessage(frame);
      return from === 'a' && m.ok && m.value.type === 'chunk' && bytesEqual(m.value.file, beach.photo.full.sha256) && ++sent > 7 ? [] : [frame];
    };
    const first = await connect(alice, bob, { tap: cut, allowUnanswered: true });
    first.a.close();
    await first.settle();
    const full = nameOf(beach.photo.full);
    expect(await bob.media!.store.firstMissing(full)).toBe(7);
    const { reads } = countReads(bob);

    await connect(alice, bob);

    expect(reads()).toBe(1);
    expect(await bob.media!.store.completeSize(full)).toBe(beach.full.length);
  });

  it('drops a file fetched whole whose chunks match but whose whole hash does not', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 3);
    const wrong = { ...beach, photo: { ...beach.photo, full: { ...beach.photo.full, sha256: new Uint8Array(32).fill(9) } } };
    await postPhotos(alice, 'At the beach', [wrong]);
    const { reads } = countReads(bob);

    await connect(alice, bob);

    const name = nameOf(wrong.photo.full);
    expect(bob.media!.events).toContainEqual({ type: 'mediaDamaged', file: name });
    expect(await bob.media!.store.completeSize(name)).toBeNull();
    expect(reads()).toBe(0);
  });
});
