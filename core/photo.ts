import { type ByteReader, type ByteWriter, codePointLength } from './bytes';
import { LIMITS } from './limits';
import { type MediaRef, readMediaRef, writeMediaRef } from './media';

/**
 * A photo on a post (docs/protocol.md §5.3, version 4): the re-encoded image, a small thumbnail that
 * travels with the post, and its alt text. Both files are fetched by hash (§7.6).
 */
export type Photo = { full: MediaRef; thumbnail: MediaRef; alt: string };

export function writePhoto(w: ByteWriter, p: Photo): void {
  if (p.thumbnail.size > LIMITS.thumbnailBytes) throw new RangeError(`a thumbnail is at most ${LIMITS.thumbnailBytes} bytes`);
  if (codePointLength(p.alt) > LIMITS.altChars) throw new RangeError(`Alt text is longer than ${LIMITS.altChars} characters`);
  writeMediaRef(w, p.full);
  writeMediaRef(w, p.thumbnail);
  w.text(p.alt);
}

export function readPhoto(r: ByteReader): Photo {
  const full = readMediaRef(r);
  const thumbnail = readMediaRef(r);
  if (thumbnail.size > LIMITS.thumbnailBytes) throw new RangeError(`a thumbnail is at most ${LIMITS.thumbnailBytes} bytes`);
  const alt = r.text(LIMITS.altChars * 4, 'alt text');
  if (codePointLength(alt) > LIMITS.altChars) throw new RangeError(`alt text is longer than ${LIMITS.altChars} characters`);
  return { full, thumbnail, alt };
}
