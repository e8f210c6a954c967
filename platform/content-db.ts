import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

/**
 * Content lives in IndexedDB on the extension origin, one database per signed-in handle so
 * accounts never mix. The peer host is its only writer. The schema is versioned: each
 * version adds one migration step below and never edits an older one.
 */
export const CONTENT_DB_VERSION = 1;

export interface ContactV1 {
  handle: string;
  addedAt: number;
}

export interface ContentSchemaV1 extends DBSchema {
  contacts: { key: string; value: ContactV1 };
}
export type ContentSchema = ContentSchemaV1;
export type ContentDb = IDBPDatabase<ContentSchema>;

type UpgradeTx = IDBPTransaction<ContentSchema, StoreNames<ContentSchema>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<ContentSchema>, tx: UpgradeTx) => void;

/** `migrations[n]` upgrades a database from version n − 1 to n. */
export const migrations: Record<number, Migration> = {
  1: (db) => {
    db.createObjectStore('contacts', { keyPath: 'handle' });
  },
};

export function contentDbName(handle: string): string {
  return `peerwall-${handle}`;
}

export async function openContentDb(name: string, version = CONTENT_DB_VERSION): Promise<ContentDb> {
  let failure: Error | null = null;
  try {
    return await openDB<ContentSchema>(name, version, {
      upgrade(db, oldVersion, newVersion, tx) {
        tx.done.catch(() => undefined); // an abort below is reported through `failure`
        try {
          for (let step = oldVersion + 1; step <= (newVersion ?? version); step += 1) {
            const migrate = migrations[step];
            // A missing step would leave a half-built schema: fail loudly instead.
            if (!migrate) throw new Error(`No migration to content database version ${step}.`);
            migrate(db, tx);
          }
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
          tx.abort(); // the database stays at its old version with its data
        }
      },
    });
  } catch (error) {
    if (failure) throw failure;
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new Error(`The content database "${name}" was written by a newer Peerwall; update the extension.`, {
        cause: error,
      });
    }
    throw error;
  }
}
