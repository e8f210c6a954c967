import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * A backup file a page hands the peer host to import. Runtime messages are JSON and bounded, so the page
 * stages the file's bytes here (same extension origin) and `host:import-backup` names it; the peer host
 * takes it out, whatever the import's outcome. A database of its own, like staged photos, so a page never
 * creates or migrates the content database.
 */
export const STAGED_BACKUP_DB_NAME = 'peerwall-staged-backup';
const STAGED_BACKUP_DB_VERSION = 1;

/** Version 1 of a staged backup: its bytes and when the page staged it. */
export type StagedBackupV1 = { id: string; bytes: Uint8Array; stagedAt: number };

interface StagedBackupSchema extends DBSchema {
  files: { key: string; value: StagedBackupV1 };
}

function openStagedBackups(): Promise<IDBPDatabase<StagedBackupSchema>> {
  return openDB<StagedBackupSchema>(STAGED_BACKUP_DB_NAME, STAGED_BACKUP_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('files', { keyPath: 'id' });
    },
  });
}

/** Stages a file; resolves with the id `host:import-backup` names. Any file staged before is dropped. */
export async function stageBackupFile(bytes: Uint8Array, now: number): Promise<string> {
  const db = await openStagedBackups();
  try {
    const id = crypto.randomUUID();
    const tx = db.transaction('files', 'readwrite');
    await tx.store.clear();
    await tx.store.put({ id, bytes, stagedAt: now });
    await tx.done;
    return id;
  } finally {
    db.close();
  }
}

/** Takes a staged file out: its bytes, or null when there is none by that id. */
export async function takeStagedBackup(id: string): Promise<Uint8Array | null> {
  const db = await openStagedBackups();
  try {
    const tx = db.transaction('files', 'readwrite');
    const staged = await tx.store.get(id);
    await tx.store.delete(id);
    await tx.done;
    return staged ? staged.bytes : null;
  } finally {
    db.close();
  }
}
