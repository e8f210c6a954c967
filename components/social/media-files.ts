import type { ContentDb } from '@/platform/content-db';
import { type MediaProgress, openContentDbForReading, readMediaFile, readMediaProgress } from '@/platform/read-media-file';

let opened: { handle: string; db: Promise<ContentDb | null> } | null = null;

/**
 * Reads from `handle`'s content database, or null while the database is not there yet. The page keeps
 * one read-only connection; one the peer host closed (to upgrade the database) or that found no
 * database is opened again on the next read.
 */
async function readWith<T>(handle: string, read: (db: ContentDb) => Promise<T | null>): Promise<T | null> {
  if (opened?.handle !== handle) opened = { handle, db: openContentDbForReading(handle) };
  const current = opened;
  const db = await current.db;
  try {
    if (db) return await read(db);
  } catch {
    // closed under us (an upgrade): open again next time
  }
  if (opened === current) opened = null;
  return null;
}

/** A complete photo file, or null while it is partial, unknown, or the database is not there yet. */
export const readPhotoFile = (handle: string, name: string): Promise<Blob | null> => readWith(handle, (db) => readMediaFile(db, name));

/** How many chunks of a partial photo file are held, or null when it is complete or unknown. */
export const readPhotoProgress = (handle: string, name: string): Promise<MediaProgress | null> =>
  readWith(handle, (db) => readMediaProgress(db, name));
