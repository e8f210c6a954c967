import type { Postgres } from './pool';

/** Each entry moves the schema one version up; never edit a shipped entry, append a new one. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (
    handle        text PRIMARY KEY,
    password_hash text NOT NULL,
    token_version integer NOT NULL,
    created_at    bigint NOT NULL,
    retired_at    bigint
  )`,
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

// Any constant works; it only keeps broker nodes that start together from migrating at once.
const MIGRATION_LOCK = 0x70_77_61_6c; // "pwal"

/**
 * Brings the schema up to date, one transaction per step, each recorded in `schema_migrations`.
 * Nodes starting together take turns on an advisory lock. A schema newer than this broker's stops it.
 */
export async function migratePostgres(db: Postgres, migrations: readonly string[] = POSTGRES_MIGRATIONS): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `The database has schema version ${current}, newer than this broker's ${migrations.length}; run a newer broker.`,
      );
    }
    for (let version = current; version < migrations.length; version++) {
      const step = migrations[version];
      if (step === undefined) throw new Error(`Missing migration to schema version ${version + 1}.`);
      await client.query('BEGIN');
      try {
        await client.query(step);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined); // the step's error is the one to report
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
