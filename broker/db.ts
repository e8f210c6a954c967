import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Each entry moves the schema one version up; never edit a shipped entry, append a new one. */
const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  (db) =>
    db.exec(`CREATE TABLE accounts (
      handle        TEXT PRIMARY KEY,
      password_hash TEXT NOT NULL,
      token_version INTEGER NOT NULL,
      created_at    INTEGER NOT NULL,
      retired_at    INTEGER
    ) STRICT`),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (or creates) the SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database has schema version ${current}, newer than this broker's ${SCHEMA_VERSION}; run a newer broker.`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`Missing migration to schema version ${version + 1}.`);
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
