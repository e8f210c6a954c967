import { bodyVersion, decodeBody, photoFiles } from '@/core/body';
import type { EntryKind } from '@/core/entryKind';
import type { MediaRef } from '@/core/media';
import type { MediaUse } from '@/core/mediaStore';
import { MEDIA_VERSION } from '@/core/messages';

/** The photo files an entry's body refers to (none for a body that needs no version 4), as `wall`'s uses. */
export function photoUses(wall: string, id: string, kind: EntryKind, body: Uint8Array | null): { ref: MediaRef; use: MediaUse }[] {
  if (!body || bodyVersion(kind, body) < MEDIA_VERSION) return [];
  const decoded = decodeBody(kind, body);
  return photoFiles(decoded.ok ? decoded.value : null).map(({ ref, thumbnail }) => ({ ref, use: { wall, entry: id, thumbnail } }));
}
