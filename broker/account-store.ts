import { join } from 'node:path';
import type { AccountStore } from './accounts';
import { ConfigError, type BrokerConfig } from './config';
import { openDatabase } from './db';
import { createPostgresAccountStore } from './postgres/accounts';
import { migratePostgres } from './postgres/migrate';
import { createPostgres, type StorageLog } from './postgres/pool';
import { redactDatabaseUrl } from './redact';
import { createSqliteAccountStore } from './sqlite-accounts';

export const DATABASE_FILE = 'broker.sqlite';

/** PostgreSQL when DATABASE_URL is set (schema migrated before the broker serves), else SQLite in DATA_DIR. */
export async function openAccountStore(config: BrokerConfig, log: StorageLog): Promise<AccountStore> {
  if (config.databaseUrl === undefined) return createSqliteAccountStore(openDatabase(join(config.dataDir, DATABASE_FILE)));
  const db = createPostgres({ url: config.databaseUrl, poolSize: config.databasePoolSize, log });
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    // A ConfigError: server.ts prints its sentence alone, without a stack.
    throw new ConfigError(`PostgreSQL at ${redactDatabaseUrl(config.databaseUrl)} could not be prepared: ${reason}`);
  }
  log.info({ database: redactDatabaseUrl(config.databaseUrl) }, 'accounts on PostgreSQL');
  return createPostgresAccountStore(db);
}
