import type { Account, AccountStore } from '../accounts';
import type { Postgres } from './pool';

interface Row {
  handle: string;
  password_hash: string;
  token_version: number;
  created_at: string; // bigint arrives as text
  retired_at: string | null;
}

/**
 * Accounts in PostgreSQL, shared by every broker node. Each operation is one statement, so the
 * primary key decides concurrent registrations and the row lock plus the `token_version` condition
 * decide concurrent password changes (READ COMMITTED re-checks the condition after the lock).
 */
export function createPostgresAccountStore(db: Postgres, now: () => number = Date.now): AccountStore {
  return {
    async ping() {
      await db.query('SELECT 1');
    },
    async find(handle) {
      const { rows } = await db.query<Row>('SELECT * FROM accounts WHERE handle = $1', [handle]);
      return rows[0] && toAccount(rows[0]);
    },
    async create(handle, passwordHash) {
      const result = await db.query(
        `INSERT INTO accounts (handle, password_hash, token_version, created_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (handle) DO NOTHING`,
        [handle, passwordHash, now()],
      );
      return result.rowCount === 1;
    },
    async changePassword(handle, passwordHash, expectedVersion) {
      const { rows } = await db.query<{ token_version: number }>(
        `UPDATE accounts SET password_hash = $1, token_version = token_version + 1
         WHERE handle = $2 AND retired_at IS NULL AND token_version = $3 RETURNING token_version`,
        [passwordHash, handle, expectedVersion],
      );
      return rows[0]?.token_version;
    },
    async retire(handle, expectedVersion) {
      const result = await db.query(
        `UPDATE accounts SET password_hash = '', token_version = token_version + 1, retired_at = $1
         WHERE handle = $2 AND retired_at IS NULL AND token_version = $3`,
        [now(), handle, expectedVersion],
      );
      return result.rowCount === 1;
    },
    close: () => db.close(),
  };
}

function toAccount(row: Row): Account {
  return {
    handle: row.handle,
    passwordHash: row.password_hash,
    tokenVersion: row.token_version,
    createdAt: Number(row.created_at),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
  };
}
