import type { Account, AccountStore } from './accounts';
import type { Db } from './db';

interface Row {
  handle: string;
  password_hash: string;
  token_version: number;
  created_at: number;
  retired_at: number | null;
}

/** Accounts in the embedded SQLite file (broker/db.ts); one process writes it, so every statement is atomic. */
export function createSqliteAccountStore(db: Db, now: () => number = Date.now): AccountStore {
  const select = db.prepare<[string], Row>('SELECT * FROM accounts WHERE handle = ?');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO accounts (handle, password_hash, token_version, created_at) VALUES (?, ?, 1, ?)',
  );
  const updatePassword = db.prepare<[string, string, number], { token_version: number }>(
    `UPDATE accounts SET password_hash = ?, token_version = token_version + 1
     WHERE handle = ? AND retired_at IS NULL AND token_version = ? RETURNING token_version`,
  );
  const retire = db.prepare(
    `UPDATE accounts SET password_hash = '', token_version = token_version + 1, retired_at = ?
     WHERE handle = ? AND retired_at IS NULL AND token_version = ?`,
  );
  const one = db.prepare('SELECT 1');
  return {
    async ping() {
      one.get();
    },
    async find(handle) {
      const row = select.get(handle);
      return row && toAccount(row);
    },
    async create(handle, passwordHash) {
      return insert.run(handle, passwordHash, now()).changes === 1;
    },
    async changePassword(handle, passwordHash, expectedVersion) {
      return updatePassword.get(passwordHash, handle, expectedVersion)?.token_version;
    },
    async retire(handle, expectedVersion) {
      return retire.run(now(), handle, expectedVersion).changes === 1;
    },
    async close() {
      db.close();
    },
  };
}

function toAccount(row: Row): Account {
  return {
    handle: row.handle,
    passwordHash: row.password_hash,
    tokenVersion: row.token_version,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}
