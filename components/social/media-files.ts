import type { ContentDb } from '@/platform/content-db';
import { openContentDbForReading, readMediaFile } from '@/platform/read-media-file';

let opened: { handle: string; db: Promise<ContentDb | null> } | null = null;

/**
 * A complete photo file of `handle`'s content database, or null while it is partial, unknown, or the
 * database is not there yet. The page keeps one read-only connection; one the peer host closed (to
 * upgrade the database) or that found no database is opened again on the next read.
 */
export async function readPhotoFile(handle: string, name: string): Promise<Blob | null> {
  if (opened?.handle !== handle) opened = { handle, db: openContentDbForReading(handle) };
  const current = opened;
  const db = await current.db;
  try {
    if (db) return await readMediaFile(db, name);
  } catch {
    // closed under us (an upgrade): open again next time
  }
  if (opened === current) opened = null;
  return null;
}
