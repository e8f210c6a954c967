import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { writeOwnEntry } from '@/core/author';
import { createIdentity } from '@/core/identity';
import { createMemoryReplica } from '@/core/memoryReplica';
import { CONTENT_DB_VERSION, contentDbName, openContentDb } from '@/platform/content-db';

let counter = 0;
const freshName = () => `test-db-${++counter}-${Math.random()}`;

/** A version 1 database as the first milestone left it: contacts only. */
async function versionOneFixture(name: string, contacts: string[]): Promise<void> {
  const fixture = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('contacts', { keyPath: 'handle' });
    },
  });
  for (const handle of contacts) await fixture.put('contacts', { handle, addedAt: 7 });
  fixture.close();
}

const SOCIAL_STORES = ['blocked', 'entries', 'feed', 'friends', 'identity', 'meta', 'outbox', 'progress', 'relayOutbox', 'requests', 'walls'];
const RELAY_STORES = ['carried', 'issuedPasses', 'passes', 'revocations', 'wallSync'];
const V4_STORES = [...SOCIAL_STORES, ...RELAY_STORES].sort();
const CONVERSATION_STORES = ['profiles', 'rejections'];
const V5_STORES = [...V4_STORES, ...CONVERSATION_STORES].sort();
const MEDIA_STORES = ['mediaChunks', 'mediaFiles', 'mediaUses'];
const CURRENT_STORES = [...V5_STORES, ...MEDIA_STORES].sort();

describe('content database', () => {
  it('creates the current schema from nothing', async () => {
    const db = await openContentDb(freshName());

    expect(db.version).toBe(CONTENT_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(CURRENT_STORES);
    expect(db.transaction('entries').store.keyPath).toEqual(['wall', 'seq']);
    expect([...db.transaction('feed').store.indexNames].sort()).toEqual(['byTime', 'byWall']);
    db.close();
  });

  it('migrates a version 1 fixture to version 2, keeping its contacts and adding the social stores', async () => {
    const name = freshName();
    await versionOneFixture(name, ['carol']);

    const db = await openContentDb(name, 2);

    expect(db.version).toBe(2);
    expect(await (db as unknown as { getAll(store: string): Promise<unknown[]> }).getAll('contacts')).toEqual([{ handle: 'carol', addedAt: 7 }]);
    expect(await db.count('entries')).toBe(0);
    expect(db.transaction('entries').store.index('byId').unique).toBe(true);
    db.close();
  });

  it('migrates version 2 to 3, dropping the contacts and keeping every social store and its data', async () => {
    const name = freshName();
    await versionOneFixture(name, ['bob']);
    const v2 = await openContentDb(name, 2);
    await v2.put('blocked', { handle: 'mallory', since: 3 });
    v2.close();

    const db = await openContentDb(name, 3);

    expect(db.version).toBe(3);
    expect([...db.objectStoreNames].sort()).toEqual(SOCIAL_STORES);
    expect(await db.getAll('blocked')).toEqual([{ handle: 'mallory', since: 3 }]);
    db.close();
  });

  it('migrates version 3 to 4, adding the relay stores and keeping the social data as it was', async () => {
    const name = freshName();
    const v3 = await openContentDb(name, 3);
    const row = { id: 'p1', wall: 'alice', author: 'alice', seq: 1, text: 'hi', shownAt: 5, edited: false };
    await v3.put('feed', row);
    await v3.put('blocked', { handle: 'mallory', since: 3 });
    v3.close();

    const db = await openContentDb(name, 4);

    expect(db.version).toBe(4);
    expect([...db.objectStoreNames].sort()).toEqual(V4_STORES);
    // Rows from before relaying have no `via`: they came from the wall's owner.
    expect(await db.getAll('feed')).toEqual([row]);
    expect(await db.getAll('blocked')).toEqual([{ handle: 'mallory', since: 3 }]);
    expect(db.transaction('passes').store.keyPath).toBe('wall');
    expect(db.transaction('issuedPasses').store.keyPath).toBe('reader');
    expect(db.transaction('revocations').store.keyPath).toBe('wall');
    const carried = db.transaction('carried').store;
    expect(carried.keyPath).toBe('id');
    expect(carried.index('byWall').keyPath).toEqual(['wall', 'order']);
    expect(carried.index('byBytes').keyPath).toBe('bytes');
    expect(carried.index('byAuthor').keyPath).toBe('entry.header.author');
    expect(carried.index('byTime').keyPath).toBe('carriedAt');
    expect(await db.count('carried')).toBe(0);
    db.close();
  });

  it('migrates version 4 to 5, adding profiles and refused entries and keeping the relay data as it was', async () => {
    const name = freshName();
    const v4 = await openContentDb(name, 4);
    const sync = { wall: 'bob', at: 9, via: 'carol' };
    await v4.put('wallSync', sync);
    await v4.put('feed', { id: 'p1', wall: 'bob', author: 'bob', seq: 1, text: 'hi', shownAt: 5, edited: false, via: 'carol' });
    v4.close();

    // What a version 4 reader stored of a friend who published a profile with a newer Peerwall.
    const alice = createIdentity('alice', (n) => crypto.getRandomValues(new Uint8Array(n)));
    const source = createMemoryReplica();
    for (const displayName of ['Al', 'Alice']) {
      const written = await writeOwnEntry(source, alice, { kind: 'profile', body: { displayName, about: 'hi' } }, { randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), now: () => 5 });
      if (!written.ok) throw new Error(written.reason);
    }
    const reopened = await openContentDb(name, 4);
    for (const entry of await source.entriesAfter('alice', 0, 10)) await reopened.put('entries', { ...entry, wall: 'alice' });
    reopened.close();

    const db = await openContentDb(name, 5);

    expect(await db.getAll('profiles')).toEqual([{ wall: 'alice', seq: 2, displayName: 'Alice', about: 'hi' }]);
    expect(db.version).toBe(5);
    expect([...db.objectStoreNames].sort()).toEqual(V5_STORES);
    expect(await db.getAll('wallSync')).toEqual([sync]);
    expect(await db.count('feed')).toBe(1);
    expect(db.transaction('profiles').store.keyPath).toBe('wall');
    expect(db.transaction('rejections').store.keyPath).toBe('id');
    expect(db.transaction('rejections').store.index('byTime').keyPath).toBe('at');
    db.close();
  });

  it('migrates version 5 to 6, adding the photo stores and keeping the conversation data as it was', async () => {
    const name = freshName();
    const v5 = await openContentDb(name, 5);
    const profile = { wall: 'alice', seq: 2, displayName: 'Alice', about: 'hi' };
    const rejection = { id: 'r1', wall: 'bob', kind: 'wallPost' as const, text: 'hi', reason: 'no', at: 4 };
    await v5.put('profiles', profile);
    await v5.put('rejections', rejection);
    v5.close();

    const db = await openContentDb(name, 6);

    expect(db.version).toBe(6);
    expect([...db.objectStoreNames].sort()).toEqual(CURRENT_STORES);
    expect(await db.getAll('profiles')).toEqual([profile]);
    expect(await db.getAll('rejections')).toEqual([rejection]);
    const files = db.transaction('mediaFiles').store;
    expect(files.keyPath).toBe('name');
    expect(files.index('byStatus').keyPath).toBe('status');
    expect(db.transaction('mediaChunks').store.keyPath).toEqual(['name', 'index']);
    const uses = db.transaction('mediaUses').store;
    expect(uses.keyPath).toEqual(['wall', 'entry', 'name', 'thumbnail']);
    expect(uses.index('byName').keyPath).toBe('name');
    expect(await db.count('mediaFiles')).toBe(0);
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
    await db.put('blocked', { handle: 'bob', since: 1 });
    db.close();

    await expect(openContentDb(name, CONTENT_DB_VERSION + 1)).rejects.toThrow(/No migration/);
    const reopened = await openContentDb(name);
    expect(reopened.version).toBe(CONTENT_DB_VERSION);
    expect(await reopened.getAllKeys('blocked')).toEqual(['bob']);
    reopened.close();
  });

  it('keeps one database per handle', () => {
    expect(contentDbName('alice')).not.toBe(contentDbName('bob'));
  });
});
