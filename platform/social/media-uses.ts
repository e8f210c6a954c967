import { bodyVersion, decodeBody, photoFiles } from '@/core/body';
import { toHex } from '@/core/bytes';
import type { EntryKind } from '@/core/entryKind';
import { type MediaRef, sameMediaRef } from '@/core/media';
import type { MediaUse } from '@/core/mediaStore';
import { MEDIA_VERSION } from '@/core/messages';
import type { IDBPTransaction, StoreNames } from 'idb';
import type { ContentSchema } from '../content-db';

/** A read-write transaction over (at least) the content database's `mediaFiles` and `mediaUses`. */
export type MediaUseTx = IDBPTransaction<ContentSchema, ArrayLike<StoreNames<ContentSchema>>, 'readwrite'>;

/**
 * Records that `use` refers to the file, in a transaction the caller holds open: a reference whose size,
 * type or chunk list differs from the one first recorded for that hash is not recorded (docs/protocol.md
 * §7.6), so a forged reference cannot make an honest holder's chunks fail their checks.
 */
export async function recordMediaUse(tx: MediaUseTx, ref: MediaRef, use: MediaUse): Promise<void> {
  const name = toHex(ref.sha256);
  const files = tx.objectStore('mediaFiles');
  const held = await files.get(name);
  if (held && !sameMediaRef(held.ref, ref)) return;
  if (!held) await files.put({ name, ref: structuredClone(ref), status: 'partial' });
  await tx.objectStore('mediaUses').put({ wall: use.wall, entry: use.entry, name, thumbnail: use.thumbnail ? 1 : 0 });
}

/** The photo files an entry's body refers to (none for a body that needs no version 4), as `wall`'s uses. */
export function photoUses(wall: string, id: string, kind: EntryKind, body: Uint8Array | null): { ref: MediaRef; use: MediaUse }[] {
  if (!body || bodyVersion(kind, body) < MEDIA_VERSION) return [];
  const decoded = decodeBody(kind, body);
  return photoFiles(decoded.ok ? decoded.value : null).map(({ ref, thumbnail }) => ({ ref, use: { wall, entry: id, thumbnail } }));
}
