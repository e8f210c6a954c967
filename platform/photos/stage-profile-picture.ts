import { type Result, ok } from '@/core/result';
import type { PhotoRequest } from '../social/staged-photo-check';
import { openStagedPhotos, stagePhotoFile } from '../staged-photos';
import { reencodeProfilePicture } from './profile-picture';

/**
 * Re-encodes a picked image as a profile picture (./profile-picture.ts) and stages its two files for the
 * peer host (../staged-photos.ts); resolves with what `host:set-profile` names them by, and the thumbnail to preview. A picture
 * beside a name is decoration: its alt text is empty.
 */
export async function stageProfilePicture(file: Blob, now = Date.now): Promise<Result<{ request: PhotoRequest; preview: Blob }>> {
  const encoded = await reencodeProfilePicture(file);
  if (!encoded.ok) return encoded;
  const db = await openStagedPhotos();
  try {
    const full = await stagePhotoFile(db, encoded.value.full.bytes, encoded.value.full.type, now());
    const thumbnail = await stagePhotoFile(db, encoded.value.thumbnail.bytes, encoded.value.thumbnail.type, now());
    const { bytes, type } = encoded.value.thumbnail;
    return ok({ request: { full, thumbnail, alt: '' }, preview: new Blob([bytes as Uint8Array<ArrayBuffer>], { type }) });
  } finally {
    db.close();
  }
}
