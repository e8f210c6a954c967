import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../../core/bytes';
import { LIMITS } from '../../../core/limits';
import { mediaRefFor, type MediaRef } from '../../../core/media';
import type { Photo } from '../../../core/photo';
import { post, queue, type User } from './world';

/** Deterministic image-like bytes: SHA-256 blocks of a seed, so every chunk differs. */
export function imageBytes(size: number, seed: string): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0, i = 0; at < size; at += 32, i++) {
    out.set(sha256(new TextEncoder().encode(`${seed}/${i}`)).subarray(0, Math.min(32, size - at)), at);
  }
  return out;
}

export const refOf = (bytes: Uint8Array, type: MediaRef['type'] = 'image/jpeg'): MediaRef => {
  const ref = mediaRefFor(bytes, type);
  if (!ref.ok) throw new Error(ref.reason);
  return ref.value;
};

export const nameOf = (ref: MediaRef) => toHex(ref.sha256);

/** A photo of `chunks` full chunks and a few bytes more, with a small thumbnail. */
export function makePhoto(seed: string, chunks = 20, alt = `a photo of ${seed}`) {
  const full = imageBytes(chunks * LIMITS.mediaChunkBytes + 123, `${seed}/full`);
  const thumbnail = imageBytes(3_000, `${seed}/thumb`);
  const photo: Photo = { full: refOf(full), thumbnail: refOf(thumbnail, 'image/webp'), alt };
  return { photo, full, thumbnail };
}

type Made = ReturnType<typeof makePhoto>;

/** Writes a photo post on `u`'s wall the way the peer host will: the entry, then its files as held. */
export async function postPhotos(u: User, text: string, made: Made[]) {
  const entry = await post(u, { kind: 'post', body: { text, media: [], photos: made.map((m) => m.photo) } });
  await keepFiles(u, u.identity.handle, entry.id, made);
  return entry;
}

/** Queues a photo wall post for `wall`, its files held by the author. */
export async function queuePhotos(u: User, wall: string, text: string, made: Made[]) {
  const id = await queue(u, wall, { kind: 'wallPost', body: { text, media: [], photos: made.map((m) => m.photo) } });
  await keepFiles(u, wall, id, made);
  return id;
}

async function keepFiles(u: User, wall: string, entry: string, made: Made[]) {
  const store = u.media!.store;
  for (const m of made) {
    await store.addReference(m.photo.full, { wall, entry, thumbnail: false });
    await store.addReference(m.photo.thumbnail, { wall, entry, thumbnail: true });
    await store.putFile(m.photo.full, m.full);
    await store.putFile(m.photo.thumbnail, m.thumbnail);
  }
}
