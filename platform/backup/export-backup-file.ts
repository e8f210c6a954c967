import { PeerwallError } from '../errors';
import { openContentDbForReading } from '../read-media-file';
import { cryptoRandomBytes } from '../social/identity-store';
import { backupFileName } from './backup-file-name';
import { recordBackup } from './backup-times';
import { exportBackup } from './export-backup';

/**
 * Made by the page itself, which may read the content database (never write it): a backup can be far
 * larger than a runtime message may carry. Resolves with the file to download and records when it was made.
 */
export async function exportBackupFile(handle: string, passphrase: string, now = Date.now): Promise<{ blob: Blob; name: string }> {
  const db = await openContentDbForReading(handle);
  if (!db) throw new PeerwallError('unavailable', 'Your posts and friends are not ready yet. Try again in a moment.');
  try {
    const parts = await exportBackup(db, handle, passphrase, { randomBytes: cryptoRandomBytes, now });
    if (!parts.ok) throw new PeerwallError('invalid_backup', parts.reason);
    const at = now();
    await recordBackup(handle, at);
    return { blob: new Blob(parts.value as Uint8Array<ArrayBuffer>[], { type: 'application/octet-stream' }), name: backupFileName(handle, at) };
  } finally {
    db.close();
  }
}
