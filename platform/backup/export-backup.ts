import { BACKUP_PROBLEMS, createBackupWriter } from '@/core/backupFile';
import type { RandomBytes } from '@/core/identity';
import type { Result } from '@/core/result';
import { fail, ok } from '@/core/result';
import type { ContentDb } from '../content-db';
import { BACKUP_STORES, DEVICE_META_KEYS } from './backup-stores';

export interface ExportDeps {
  randomBytes: RandomBytes;
  now(): number;
  /** scrypt cost; the §4.5 default unless a test lowers it. */
  logN?: number;
}

/**
 * The full backup of `handle`'s content database, as parts of a file (docs/protocol.md §4.6). Read in one
 * read-only transaction, a record at a time through cursors, so the copy is consistent and a large wall
 * never becomes one giant array before it is sealed.
 */
export async function exportBackup(db: ContentDb, handle: string, passphrase: string, deps: ExportDeps): Promise<Result<Uint8Array[]>> {
  const identity = await db.get('identity', handle);
  if (!identity) return fail(`This browser holds no identity for @${handle}.`);
  const writer = createBackupWriter(identity, passphrase, { ...deps, createdAt: identity.createdAt });
  if (!writer.ok) return writer;
  const tx = db.transaction(BACKUP_STORES, 'readonly');
  try {
    for (const name of BACKUP_STORES) {
      for (let cursor = await tx.objectStore(name).openCursor(); cursor; cursor = await cursor.continue()) {
        const value: unknown = cursor.value;
        if (name === 'meta' && DEVICE_META_KEYS.includes(String(cursor.key))) continue;
        writer.value.add(name, value);
      }
    }
    await tx.done;
  } catch (error) {
    if (error instanceof RangeError) return fail(error.message === BACKUP_PROBLEMS.exportTooLarge ? error.message : `A record could not be backed up (${error.message}). Nothing was saved.`);
    throw error;
  }
  return ok(writer.value.finish());
}
