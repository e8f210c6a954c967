import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccountStore } from '../../broker/account-store';
import { loggerOptions } from '../../broker/log';
import { POSTGRES_SCHEMA_VERSION, migratePostgres } from '../../broker/postgres/migrate';
import { createPostgres } from '../../broker/postgres/pool';
import { RawPeer, account, bearer, errorMessage, ofType, startBroker, testConfig } from './helpers';
import { startPostgres, type PostgresServer } from '../support/postgres-server';

let server: PostgresServer;
const quiet = { warn: () => undefined, info: () => undefined };

beforeAll(async () => {
  server = await startPostgres();
}, 30_000);

afterAll(async () => {
  await server?.destroy();
});

async function sql<Row extends object>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL schema', () => {
  it('migrates an empty database to the current version and records each step', async () => {
    const url = await server.freshDatabase();
    const store = await openAccountStore(testConfig({ databaseUrl: url }), quiet);
    await store.close();
    const versions = await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((row) => row.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    const columns = await sql<{ column_name: string }>(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position",
    );
    expect(columns.map((column) => column.column_name)).toEqual(['handle', 'password_hash', 'token_version', 'created_at', 'retired_at']);
  });

  it('lets several nodes start on one empty database at once', async () => {
    const url = await server.freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openAccountStore(testConfig({ databaseUrl: url }), quiet)));
    expect(await stores[0]!.create('alice', '$2b$04$hash')).toBe(true);
    expect(await stores[3]!.find('alice')).toMatchObject({ handle: 'alice' });
    await Promise.all(stores.map((store) => store.close()));
    expect(await sql(url, 'SELECT version FROM schema_migrations')).toHaveLength(POSTGRES_SCHEMA_VERSION);
  });

  it('refuses loudly to start on a schema from a newer broker, without showing the password', async () => {
    const url = await server.freshDatabase();
    await (await openAccountStore(testConfig({ databaseUrl: url }), quiet)).close();
    await sql(url, `INSERT INTO schema_migrations (version) VALUES (${POSTGRES_SCHEMA_VERSION + 1})`);
    const withPassword = url.replace('postgres@', 'postgres:db-secret-1234@');
    const opening = openAccountStore(testConfig({ databaseUrl: withPassword }), quiet);
    await expect(opening).rejects.toThrow(/newer than this broker's/);
    await expect(opening).rejects.toThrow(/postgres:\[redacted\]@127\.0\.0\.1/);
    await expect(opening).rejects.not.toThrow(/db-secret-1234/);
  });

  it('fails loudly on a broken step, keeping the steps before it and nothing of the broken one', async () => {
    const url = await server.freshDatabase();
    const db = createPostgres({ url, poolSize: 2, log: quiet });
    try {
      const steps = ['CREATE TABLE first_step (x integer)', 'CREATE TABLE second_step (x integer); SELECT no_such_function()'];
      await expect(migratePostgres(db, steps)).rejects.toThrow(/no_such_function/);
      expect(await sql(url, 'SELECT version FROM schema_migrations')).toEqual([{ version: 1 }]);
      expect(await sql(url, "SELECT to_regclass('second_step') AS found")).toEqual([{ found: null }]);
    } finally {
      await db.close();
    }
  });

  it('refuses to start when PostgreSQL cannot be reached, saying where', async () => {
    const config = testConfig({ databaseUrl: `postgres://peerwall:db-secret-1234@127.0.0.1:1/peerwall` });
    const opening = openAccountStore(config, quiet);
    await expect(opening).rejects.toThrow(/PostgreSQL at postgres:\/\/peerwall:\[redacted\]@127\.0\.0\.1:1\/peerwall could not be prepared/);
    await expect(opening).rejects.not.toThrow(/db-secret-1234/);
  });
});

describe('PostgreSQL unavailable', () => {
  it('stops npm run broker at start with one sentence naming the redacted URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'peerwall-server-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, DATABASE_URL: 'postgres://peerwall:db-secret-1234@127.0.0.1:1/peerwall', LOG_LEVEL: 'fatal' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(
      /^Peerwall broker could not start: PostgreSQL at postgres:\/\/peerwall:\[redacted\]@127\.0\.0\.1:1\/peerwall could not be prepared: .*ECONNREFUSED/,
    );
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).not.toContain('db-secret-1234');
  });

  it('answers 503 with a sentence while it is down, never crashes, and recovers by itself', async () => {
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const url = (await server.freshDatabase()).replace('postgres@', 'postgres:db-secret-1234@');
    const broker = await startBroker({ databaseUrl: url }, { logger: loggerOptions('debug', stream) });
    try {
      const token = await account(broker.app, 'alice');
      const bobToken = await account(broker.app, 'bob');
      const bob = RawPeer.connect(broker.wsUrl('bob', bobToken));
      await bob.opened();
      // OPEN comes before the broker's second look at the account; an answer to a frame means that look is done.
      bob.send({ type: 'PW_ALLOW', payload: { handles: [] } });
      await bob.next(ofType('PW_PRESENCE'));
      await server.stop();

      const unavailable = { error: { code: 'unavailable', message: expect.stringContaining('cannot reach its account database') } };
      const signIn = await broker.app.inject({ method: 'POST', url: '/api/sessions', payload: { handle: 'alice', password: 'correct horse battery' } });
      expect(signIn.statusCode).toBe(503);
      expect(signIn.json()).toEqual(unavailable);
      expect(signIn.headers['retry-after']).toBe('5');
      const lookup = await broker.app.inject({ method: 'GET', url: '/api/handles/alice', headers: bearer(token) });
      expect(lookup.statusCode).toBe(503);
      expect(lookup.json()).toEqual(unavailable);
      const register = await broker.app.inject({ method: 'POST', url: '/api/accounts', payload: { handle: 'carol', password: 'correct horse battery' } });
      expect(register.statusCode).toBe(503);
      const peer = RawPeer.connect(broker.wsUrl('alice', token));
      expect(errorMessage(await peer.next(ofType('ERROR')))).toMatch(/^unavailable: /);
      expect((await peer.closed).code).toBe(1013);
      const health = await fetch(`${broker.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unavailable', accounts: 'down' });
      // A socket opened before stays up; a relay that needs the account check is refused for now.
      bob.send({ type: 'PW_RELAY', dst: 'alice', payload: { id: 'r1', body: 'hi' } });
      const refused = await bob.next(ofType('PW_RELAY_STATUS'));
      expect(refused.payload).toEqual({ id: 'r1', dst: 'alice', status: 'rejected', reason: 'unavailable' });

      await server.start();
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await broker.app.inject({ method: 'GET', url: '/api/handles/alice', headers: bearer(token) })).statusCode;
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
      expect((await broker.app.inject({ method: 'POST', url: '/api/accounts', payload: { handle: 'carol', password: 'correct horse battery' } })).statusCode).toBe(201);
      const again = RawPeer.connect(broker.wsUrl('alice', token));
      await again.opened();
      again.close();
      bob.send({ type: 'PW_RELAY', dst: 'alice', payload: { id: 'r2', body: 'hi' } });
      const later = await bob.next((frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id: string }).id === 'r2');
      expect(later.payload).toMatchObject({ status: 'accepted' });
      bob.close();

      expect(log.match(/PostgreSQL is unavailable/g)).toHaveLength(1);
      expect(log).toContain('PostgreSQL is reachable again');
      expect(log).toContain('postgres:[redacted]@127.0.0.1');
      expect(log).not.toContain('db-secret-1234');
    } finally {
      await server.start().catch(() => undefined);
      await broker.close();
    }
  });
});
