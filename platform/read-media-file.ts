import { keysUnder, type ContentDb } from './content-db';

/**
 * A complete photo file as a `Blob` of its type, read straight from the content database in one
 * read-only transaction, or null while it is partial or unknown. Pages show photos through this, never
 * through runtime messages: a 16 MiB file would otherwise be copied through the message channel.
 */
export async function readMediaFile(db: ContentDb, name: string): Promise<Blob | null> {
  const tx = db.transaction(['mediaFiles', 'mediaChunks']);
  const held = await tx.objectStore('mediaFiles').get(name);
  if (held?.status !== 'complete') return null;
  const chunks = await tx.objectStore('mediaChunks').getAll(keysUnder(name));
  return new Blob(chunks.map((c) => c.bytes as Uint8Array<ArrayBuffer>), { type: held.ref.type });
}
