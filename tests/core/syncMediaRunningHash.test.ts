import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { decodeMessage } from '../../core/messages';
import { createRunningHashes } from '../../core/syncMediaRunningHash';
import type { FrameTap } from '../../core/transport';
import { makePhoto, nameOf, postPhotos } from './support/photos';
import { befriend, connect, makeUser, type User } from './support/world';

const piece = (i: number) => new Uint8Array(100).fill(i);
const whole = (n: number) => sha256(new Uint8Array(Array.from({ length: n }, (_, i) => [...piece(i)]).flat()));

describe('the running whole-file hash (core/syncMediaRunningHash.ts)', () => {
  it('is the SHA-256 of the chunks fed in order from the first', () => {
    const hashes = createRunningHashes();
    hashes.begin('f', 0);
    for (let i = 0; i < 3; i++) hashes.add('f', i, piece(i));
    expect(hashes.take('f', 3)).toEqual(whole(3));
    expect(hashes.take('f', 3), 'taken once').toBeNull();
  });

  it.each([
    ['a chunk skipped', (h: ReturnType<typeof createRunningHashes>) => [0, 2, 3].forEach((i) => h.add('f', i, piece(i)))],
    ['a chunk repeated', (h: ReturnType<typeof createRunningHashes>) => [0, 1, 1, 2].forEach((i) => h.add('f', i, piece(i)))],
    ['fewer chunks than the file has', (h: ReturnType<typeof createRunningHashes>) => [0, 1].forEach((i) => h.add('f', i, piece(i)))],
  ])('has no hash with %s: the file is read back instead', (_, feed) => {
    const hashes = createRunningHashes();
    hashes.begin('f', 0);
    feed(hashes);
    expect(hashes.take('f', 3)).toBeNull();
  });

  it('has no hash for a file resumed from a later chunk', () => {
    const hashes = createRunningHashes();
    hashes.begin('f', 1);
    for (let i = 1; i < 3; i++) hashes.add('f', i, piece(i));
    expect(hashes.take('f', 3)).toBeNull();
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
