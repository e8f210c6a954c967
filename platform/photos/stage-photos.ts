import { type Result, fail, ok } from '@/core/result';
import type { PhotoRequest } from '../social/staged-photo-check';
import { openStagedPhotos, stagePhotoFile } from '../staged-photos';
import { reencodePhoto } from './reencode';

/** A photo a person picked for a post, with what they wrote in "Describe this photo". */
export type PickedPhoto = { file: Blob; alt: string };

/**
 * Re-encodes each picked photo (platform/photos/reencode.ts) and stages its two files for the peer
 * host (../staged-photos.ts); resolves with what `host:post` names them by. The first photo that
 * cannot be posted fails the lot, with a sentence that says which.
 */
export async function stagePhotos(picked: readonly PickedPhoto[], now = Date.now): Promise<Result<PhotoRequest[]>> {
  if (picked.length === 0) return ok([]);
  const db = await openStagedPhotos();
  try {
    const requests: PhotoRequest[] = [];
    for (const [i, photo] of picked.entries()) {
      const encoded = await reencodePhoto(photo.file);
      if (!encoded.ok) return fail(picked.length > 1 ? `Photo ${i + 1}: ${encoded.reason}` : encoded.reason);
      const full = await stagePhotoFile(db, encoded.value.full.bytes, encoded.value.full.type, now());
      const thumbnail = await stagePhotoFile(db, encoded.value.thumbnail.bytes, encoded.value.thumbnail.type, now());
      requests.push({ full, thumbnail, alt: photo.alt.trim() });
    }
    return ok(requests);
  } finally {
    db.close();
  }
}
