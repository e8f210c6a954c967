import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { createIdbContactStore } from '@/platform/contact-store';
import { CONTENT_DB_VERSION, contentDbName, openContentDb } from '@/platform/content-db';

let counter = 0;
const freshName = () => `test-db-${++counter}-${Math.random()}`;

describe('content database', () => {
  it('creates the current schema from nothing', async () => {
    const db = await openContentDb(freshName());

    expect(db.version).toBe(CONTENT_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(
      ['blocked', 'contacts', 'entries', 'feed', 'friends', 'identity', 'meta', 'outbox', 'progress', 'relayOutbox', 'requests', 'walls'],
    );
    expect(db.transaction('contacts').store.keyPath).toBe('handle');
    expect(db.transaction('entries').store.keyPath).toEqual(['wall', 'seq']);
    expect([...db.transaction('feed').store.indexNames].sort()).toEqual(['byTime', 'byWall']);
    db.close();
  });

  it('migrates a version 1 fixture to version 2, keeping its contacts and adding the social stores', async () => {
    const name = freshName();
    const fixture = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('contacts', { keyPath: 'handle' });
      },
    });
    await fixture.put('contacts', { handle: 'carol', addedAt: 7 });
    fixture.close();

    const db = await openContentDb(name, 2);

    expect(db.version).toBe(2);
    expect(await db.getAll('contacts')).toEqual([{ handle: 'carol', addedAt: 7 }]);
    expect(await db.count('entries')).toBe(0);
    expect(db.transaction('entries').store.index('byId').unique).toBe(true);
    db.close();
  });

  it('opens a version 1 fixture database with its data intact', async () => {
    const name = freshName();
    const fixture = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('contacts', { keyPath: 'handle' });
      },
    });
    await fixture.put('contacts', { handle: 'bob', addedAt: 1 });
    fixture.close();

    const db = await openContentDb(name);

    expect(await db.getAll('contacts')).toEqual([{ handle: 'bob', addedAt: 1 }]);
    db.close();
  });

  it('refuses a database written by a newer Peerwall and leaves it alone', async () => {
    const name = freshName();
    const newer = await openDB(name, CONTENT_DB_VERSION + 1, {
      upgrade(db) {
        db.createObjectStore('contacts', { keyPath: 'handle' });
      },
    });
    newer.close();

    await expect(openContentDb(name)).rejects.toThrow(/newer Peerwall/);
    const again = await openDB(name);
    expect(again.version).toBe(CONTENT_DB_VERSION + 1);
    again.close();
  });

  it('fails loudly, keeping the old data, when a migration step is missing', async () => {
    const name = freshName();
    const db = await openContentDb(name);
    await db.put('contacts', { handle: 'bob', addedAt: 1 });
    db.close();

    await expect(openContentDb(name, CONTENT_DB_VERSION + 1)).rejects.toThrow(/No migration/);
    const reopened = await openContentDb(name);
    expect(reopened.version).toBe(CONTENT_DB_VERSION);
    expect(await reopened.getAllKeys('contacts')).toEqual(['bob']);
    reopened.close();
  });

  it('keeps one database per handle', () => {
    expect(contentDbName('alice')).not.toBe(contentDbName('bob'));
  });
});

describe('contact store', () => {
  it('replaces the contact list and keeps when each contact was added', async () => {
    let now = 100;
    const store = createIdbContactStore(() => now);
    const handle = `u${++counter}`;

    await store.save(handle, ['carol', 'bob']);
    now = 200;
    await store.save(handle, ['bob', 'dave']);

    expect(await store.load(handle)).toEqual(['bob', 'dave']);
    const db = await openContentDb(contentDbName(handle));
    expect(await db.getAll('contacts')).toEqual([
      { handle: 'bob', addedAt: 100 },
      { handle: 'dave', addedAt: 200 },
    ]);
    db.close();
  });

  it('keeps accounts apart', async () => {
    const store = createIdbContactStore();
    const a = `a${++counter}`;
    const b = `b${counter}`;

    await store.save(a, ['bob']);

    expect(await store.load(b)).toEqual([]);
    expect(await store.load(a)).toEqual(['bob']);
  });
});
