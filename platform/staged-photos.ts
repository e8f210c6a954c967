import { sha256 } from '@noble/hashes/sha2.js';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { toHex } from '@/core/bytes';

/**
 * Re-encoded photos a page hands the peer host for a post it is about to write. Runtime messages are
 * JSON and bounded, so a page never sends image bytes through them: it stages the files here (same
 * extension origin, so the peer host opens the same database), and `host:post` names them by hash. The
 * peer host checks each staged file against its name before it writes anything, and drops it once the
 * post is written. A database of its own, so a page never creates or migrates the content database.
 */
export const STAGED_DB_NAME = 'peerwall-staged-photos';
const STAGED_DB_VERSION = 1;

/** A staged file after this long is a post never sent (the page closed): the next post drops it. */
export const STAGED_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Version 1 of a staged file: its bytes, the type the page encoded, when it was staged. */
export type StagedFileV1 = { name: string; bytes: Uint8Array; type: string; stagedAt: number };

interface StagedSchema extends DBSchema {
  staged: { key: string; value: StagedFileV1; indexes: { byAge: number } };
}

export type StagedDb = IDBPDatabase<StagedSchema>;

export function openStagedPhotos(): Promise<StagedDb> {
  return openDB<StagedSchema>(STAGED_DB_NAME, STAGED_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('staged', { keyPath: 'name' }).createIndex('byAge', 'stagedAt');
    },
  });
}

/** Stages a file and resolves with its name (the hex of its SHA-256). */
export async function stagePhotoFile(db: StagedDb, bytes: Uint8Array, type: string, now: number): Promise<string> {
  const name = toHex(sha256(bytes));
  await db.put('staged', { name, bytes: bytes.slice(), type, stagedAt: now });
  return name;
}

export const readStagedFile = (db: StagedDb, name: string): Promise<StagedFileV1 | undefined> => db.get('staged', name);

/** Drops the files a written post took, and any staged before `staleBefore`. */
export async function dropStagedFiles(db: StagedDb, names: readonly string[], staleBefore: number): Promise<void> {
  const tx = db.transaction('staged', 'readwrite');
  const stale = await tx.store.index('byAge').getAllKeys(IDBKeyRange.upperBound(staleBefore, true));
  for (const name of [...names, ...stale]) await tx.store.delete(name);
  await tx.done;
}
