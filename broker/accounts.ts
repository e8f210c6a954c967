import type { Db } from './db';

export interface Account {
  handle: string;
  passwordHash: string;
  tokenVersion: number;
  createdAt: number;
  retiredAt: number | null;
}

export interface AccountStore {
  find(handle: string): Account | undefined;
  /** False when the handle exists already (active or retired). */
  create(handle: string, passwordHash: string): boolean;
  /** Stores the new hash and bumps the token version; returns the new version, or undefined for a missing or retired account. */
  changePassword(handle: string, passwordHash: string): number | undefined;
  /** Retires the handle for good: the hash is dropped and every token stops working. */
  retire(handle: string): void;
}

interface Row {
  handle: string;
  password_hash: string;
  token_version: number;
  created_at: number;
  retired_at: number | null;
}

export function createAccountStore(db: Db, now: () => number = Date.now): AccountStore {
  const select = db.prepare<[string], Row>('SELECT * FROM accounts WHERE handle = ?');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO accounts (handle, password_hash, token_version, created_at) VALUES (?, ?, 1, ?)',
  );
  const updatePassword = db.prepare<[string, string], { token_version: number }>(
    `UPDATE accounts SET password_hash = ?, token_version = token_version + 1
     WHERE handle = ? AND retired_at IS NULL RETURNING token_version`,
  );
  const retire = db.prepare(
    `UPDATE accounts SET password_hash = '', token_version = token_version + 1, retired_at = ?
     WHERE handle = ? AND retired_at IS NULL`,
  );
  return {
    find(handle) {
      const row = select.get(handle);
      if (!row) return undefined;
      return {
        handle: row.handle,
        passwordHash: row.password_hash,
        tokenVersion: row.token_version,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
      };
    },
    create(handle, passwordHash) {
      return insert.run(handle, passwordHash, now()).changes === 1;
    },
    changePassword(handle, passwordHash) {
      return updatePassword.get(passwordHash, handle)?.token_version;
    },
    retire(handle) {
      retire.run(now(), handle);
    },
  };
}
