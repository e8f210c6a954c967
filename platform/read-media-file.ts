import { openDB } from 'idb';
import { chunkCount } from '@/core/media';
import { CONTENT_DB_VERSION, contentDbName, keysUnder, type ContentDb, type ContentSchema } from './content-db';

/**
 * The content database opened by a page, for reading photos only: it never creates or migrates the
 * database (the peer host alone does), and it closes itself when the peer host needs to upgrade it, so a
 * page left open never blocks an upgrade. Null while the database does not exist or is older than photos.
 */
export async function openContentDbForReading(handle: string): Promise<ContentDb | null> {
  let db: ContentDb | null = null;
  try {
    db = await openDB<ContentSchema>(contentDbName(handle), undefined, {
      upgrade(_db, _oldVersion, _newVersion, tx) {
        tx.done.catch(() => undefined);
        tx.abort(); // the database did not exist: opening it here would create an empty one
      },
      blocking() {
        db?.close();
      },
    });
  } catch {
    return null;
  }
  if (db.version < CONTENT_DB_VERSION) {
    db.close();
    return null;
  }
  return db;
}

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

/** How much of a file a transfer holds so far: `held` of its `of` chunks. */
export type MediaProgress = { held: number; of: number };

/**
 * How far the transfer of a partial file got, counted from the chunks kept in the content database (a
 * page's progress bar), or null when the file is complete or unknown.
 */
export async function readMediaProgress(db: ContentDb, name: string): Promise<MediaProgress | null> {
  const tx = db.transaction(['mediaFiles', 'mediaChunks']);
  const held = await tx.objectStore('mediaFiles').get(name);
  if (held?.status !== 'partial') return null;
  return { held: await tx.objectStore('mediaChunks').count(keysUnder(name)), of: chunkCount(held.ref.size) };
}
