import { storage } from 'wxt/utils/storage';

/** When each handle's last full backup was exported (ms since 1970), in `browser.storage.local`. */
export type BackupTimesV1 = Record<string, number>;

export const backupTimesItem = storage.defineItem<BackupTimesV1>('local:backupTimes', {
  version: 1,
  migrations: {},
  fallback: {},
});

/** A backup older than this is worth making again: "Back up your account". */
export const BACKUP_REMINDER_MS = 30 * 24 * 60 * 60 * 1000;

/** True when `handle` has never exported a backup here, or its last one is older than 30 days. */
export function backupDue(times: BackupTimesV1, handle: string, now: number): boolean {
  const last = times[handle];
  return typeof last !== 'number' || now - last > BACKUP_REMINDER_MS;
}

export async function recordBackup(handle: string, at: number): Promise<void> {
  await backupTimesItem.setValue({ ...(await backupTimesItem.getValue()), [handle]: at });
}
