import { readBackup } from '@/core/backupFile';
import type { Result } from '@/core/result';
import { fail } from '@/core/result';
import { checkBackup, type CheckedBackup } from './check-backup';

/** Decrypts a backup file and checks every record in it; nothing is written. One sentence on failure. */
export function readCheckedBackup(file: Uint8Array, passphrase: string): Result<CheckedBackup> {
  const contents = readBackup(file, passphrase);
  if (!contents.ok) return contents;
  const checked = checkBackup(contents.value);
  return checked.ok ? checked : fail(`${checked.reason} Nothing was changed.`);
}
