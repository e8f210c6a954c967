import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openDatabase } from '../../broker/db';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peerwall-db-'));
  dirs.push(dir);
  return join(dir, 'broker.sqlite');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('database', () => {
  it('creates the schema at the current version in WAL mode', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')").all();
    expect(columns.map((column) => column.name)).toEqual(['handle', 'password_hash', 'token_version', 'created_at', 'retired_at']);
    db.close();
  });

  it('refuses loudly to open a database from a newer broker', () => {
    const file = tempFile();
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => openDatabase(file)).toThrow(/newer than this broker/);
  });
});
