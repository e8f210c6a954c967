import { afterAll, beforeAll } from 'vitest';
import type { BrokerConfig } from '../../broker/config';
import { startPostgres, type PostgresServer } from '../support/postgres-server';

/** Where a test broker keeps its accounts; every account test runs once per backend. */
export interface StorageBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** Config overrides for a broker on a fresh, empty store. */
  config(): Promise<Partial<BrokerConfig>>;
}

/**
 * Both backends, for `describe.each`. Call at the top of a test file: it starts one PostgreSQL for
 * the file (before its tests, stopped after them); each broker then gets a database of its own.
 */
export function storageBackends(): StorageBackend[] {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 30_000);
  afterAll(async () => {
    await server?.destroy();
  });
  return [
    { name: 'SQLite', config: async () => ({}) },
    {
      name: 'PostgreSQL',
      async config() {
        if (!server) throw new Error('PostgreSQL did not start (see the error of beforeAll).');
        return { databaseUrl: await server.freshDatabase() };
      },
    },
  ];
}
