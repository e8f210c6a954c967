import { sha256 } from '@noble/hashes/sha2.js';
import { codePointLength, toHex } from '@/core/bytes';
import { LIMITS } from '@/core/limits';
import { mediaRefFor, type MediaRef } from '@/core/media';
import type { Photo } from '@/core/photo';
import { sniffImageType } from '../photos/image-type';
import { PeerwallError } from '../errors';
import { readStagedFile, type StagedDb } from '../staged-photos';

/** A photo of `host:post`: its two staged files by name and its alt text. */
export type PhotoRequest = { full: string; thumbnail: string; alt: string };

/** What a post's photos turn into once checked: the photos for its body and the files to keep. */
export type ClaimedPhotos = { photos: Photo[]; files: { ref: MediaRef; bytes: Uint8Array; thumbnail: boolean }[]; names: string[] };

const bad = (message: string) => new PeerwallError('invalid_post', message);

async function claimFile(db: StagedDb, name: string, n: number, thumbnail: boolean): Promise<{ ref: MediaRef; bytes: Uint8Array }> {
  const staged = await readStagedFile(db, name);
  if (!staged || !(staged.bytes instanceof Uint8Array)) throw bad(`Photo ${n} was not prepared. Remove it and add it again.`);
  const { bytes } = staged;
  if (toHex(sha256(bytes)) !== name) throw bad(`Photo ${n} changed after it was prepared. Remove it and add it again.`);
  const type = sniffImageType(bytes.subarray(0, 16));
  if (!type || type !== staged.type) throw bad(`Photo ${n} is not an image Peerwall can post. Choose a JPEG, PNG, GIF or WebP photo.`);
  if (thumbnail && bytes.length > LIMITS.thumbnailBytes) throw bad(`The preview of photo ${n} is too large. Remove it and add it again.`);
  const ref = mediaRefFor(bytes, type);
  if (!ref.ok) throw bad(`Photo ${n} is too large: ${ref.reason}`);
  return { ref: ref.value, bytes };
}

/**
 * Checks the staged files of a post's photos against the names the page gave (docs/protocol.md §5.3):
 * each must be staged, hash to its name, be an image of a type a post may carry, and a thumbnail must fit
 * one chunk. Throws a sentence for a person on the first problem; reads only, so nothing is kept.
 */
export async function claimStagedPhotos(db: StagedDb, requests: readonly PhotoRequest[]): Promise<ClaimedPhotos> {
  if (requests.length > LIMITS.mediaPerPost) throw bad(`A post can have at most ${LIMITS.mediaPerPost} photos; remove ${requests.length - LIMITS.mediaPerPost}.`);
  const claimed: ClaimedPhotos = { photos: [], files: [], names: [] };
  for (const [i, request] of requests.entries()) {
    const n = i + 1;
    if (codePointLength(request.alt) > LIMITS.altChars) throw bad(`The description of photo ${n} is longer than ${LIMITS.altChars} characters.`);
    const full = await claimFile(db, request.full, n, false);
    const thumbnail = await claimFile(db, request.thumbnail, n, true);
    claimed.photos.push({ full: full.ref, thumbnail: thumbnail.ref, alt: request.alt });
    claimed.files.push({ ...thumbnail, thumbnail: true }, { ...full, thumbnail: false });
    claimed.names.push(request.thumbnail, request.full);
  }
  return claimed;
}
