import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '@/core/bytes';
import type { ContentDb } from '@/platform/content-db';
import { readMediaFile } from '@/platform/read-media-file';
import { openStagedPhotos, stagePhotoFile } from '@/platform/staged-photos';

/** Bytes a post may carry as `type`: its signature, then `size` bytes that differ per `seed`. */
export function imageBytes(size: number, seed: number, signature = [0xff, 0xd8, 0xff, 0xe0]): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  bytes.set(signature);
  return bytes;
}

/** What the composer does: stages a full image and its thumbnail, and names them for `host:post`. */
export async function stagePhoto(seed: number, alt = 'A red kite over the hill', fullSize = 150_000) {
  const db = await openStagedPhotos();
  const full = await stagePhotoFile(db, imageBytes(fullSize, seed), 'image/jpeg', Date.now());
  const thumbnail = await stagePhotoFile(db, imageBytes(3_000, seed + 1000), 'image/jpeg', Date.now());
  return { full, thumbnail, alt };
}

/** The hex SHA-256 of the file `name` as `db` holds it complete, or null when it does not. */
export async function heldFile(db: ContentDb, name: string): Promise<string | null> {
  const blob = await readMediaFile(db, name);
  return blob ? toHex(sha256(new Uint8Array(await blob.arrayBuffer()))) : null;
}
