import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountStore } from '../../broker/accounts';
import { openAccountStore } from '../../broker/account-store';
import { testConfig } from './helpers';
import { storageBackends } from './storage-backends';

const backends = storageBackends();
const quiet = { warn: () => undefined, info: () => undefined };
const opened: Array<{ store: AccountStore; dataDir: string }> = [];

afterEach(async () => {
  for (const { store, dataDir } of opened.splice(0)) {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe.each(backends)('the account store on $name', (backend) => {
  async function open(): Promise<AccountStore> {
    const config = testConfig({ ...(await backend.config()), dataDir: mkdtempSync(join(tmpdir(), 'peerwall-store-')) });
    const store = await openAccountStore(config, quiet);
    opened.push({ store, dataDir: config.dataDir });
    return store;
  }

  it('creates an account once, at token version 1', async () => {
    const accounts = await open();
    expect(await accounts.create('alice', '$2b$04$hash')).toBe(true);
    expect(await accounts.create('alice', '$2b$04$other')).toBe(false);
    const alice = await accounts.find('alice');
    expect(alice).toMatchObject({ handle: 'alice', passwordHash: '$2b$04$hash', tokenVersion: 1, retiredAt: null });
    expect(Math.abs(alice!.createdAt - Date.now())).toBeLessThan(60_000);
    expect(await accounts.find('bob')).toBeUndefined();
  });

  it('of 20 concurrent creations of one handle, exactly one succeeds', async () => {
    const accounts = await open();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => accounts.create('alice', `$2b$04$hash${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await accounts.find('alice'))?.passwordHash).toBe(`$2b$04$hash${winner}`);
  });

  it('changes a password only from the version it was verified at', async () => {
    const accounts = await open();
    await accounts.create('alice', '$2b$04$one');
    expect(await accounts.changePassword('alice', '$2b$04$two', 1)).toBe(2);
    expect(await accounts.changePassword('alice', '$2b$04$late', 1)).toBeUndefined();
    expect(await accounts.find('alice')).toMatchObject({ passwordHash: '$2b$04$two', tokenVersion: 2 });
    expect(await accounts.changePassword('nobody', '$2b$04$x', 1)).toBeUndefined();
  });

  it('of concurrent password changes from one version, exactly one is stored', async () => {
    const accounts = await open();
    await accounts.create('alice', '$2b$04$one');
    const versions = await Promise.all(Array.from({ length: 10 }, (_, i) => accounts.changePassword('alice', `$2b$04$new${i}`, 1)));
    expect(versions.filter((version) => version !== undefined)).toEqual([2]);
    const winner = versions.indexOf(2);
    expect(await accounts.find('alice')).toMatchObject({ passwordHash: `$2b$04$new${winner}`, tokenVersion: 2 });
  });

  it('retires an account for good: the hash dropped, the version bumped, the handle kept', async () => {
    const accounts = await open();
    await accounts.create('alice', '$2b$04$hash');
    expect(await accounts.retire('alice', 2)).toBe(false); // not the current version
    expect(await accounts.retire('alice', 1)).toBe(true);
    expect(await accounts.find('alice')).toMatchObject({ handle: 'alice', passwordHash: '', tokenVersion: 2 });
    expect((await accounts.find('alice'))?.retiredAt).toEqual(expect.any(Number));
    expect(await accounts.create('alice', '$2b$04$again')).toBe(false);
    expect(await accounts.changePassword('alice', '$2b$04$new', 2)).toBeUndefined();
    expect(await accounts.retire('alice', 2)).toBe(false);
  });
});
