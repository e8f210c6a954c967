import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { bytesEqual } from '@/core/bytes';
import { CONTENT_DB_VERSION, contentDbName, openContentDb } from '@/platform/content-db';
import { openContentDbForReading, readMediaFile } from '@/platform/read-media-file';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { makePhoto, nameOf } from '../core/support/photos';

let counter = 0;
const freshHandle = () => `reader${++counter}`;
const databaseNames = async () => (await indexedDB.databases()).map((d) => d.name);

describe('pages reading photos from the content database', () => {
  it('gives a complete file as a Blob of its type, and nothing for a partial or unknown one', async () => {
    const handle = freshHandle();
    const host = await openContentDb(contentDbName(handle));
    const store = createIdbMediaStore(host);
    const { photo, full, thumbnail } = makePhoto('beach', 2);
    await store.addReference(photo.full, { wall: 'alice', entry: 'e1', thumbnail: false });
    await store.addReference(photo.thumbnail, { wall: 'alice', entry: 'e1', thumbnail: true });
    await store.putFile(photo.full, full);
    await store.putChunk(nameOf(photo.thumbnail), 0, thumbnail.subarray(0, 100));

    const page = (await openContentDbForReading(handle))!;
    const blob = await readMediaFile(page, nameOf(photo.full));

    expect(blob?.type).toBe('image/jpeg');
    expect(bytesEqual(new Uint8Array(await blob!.arrayBuffer()), full)).toBe(true);
    expect(await readMediaFile(page, nameOf(photo.thumbnail))).toBeNull();
    expect(await readMediaFile(page, 'f'.repeat(64))).toBeNull();
    page.close();
    host.close();
  });

  it('never creates the database: a page opened before the first sign-in finds nothing', async () => {
    const handle = freshHandle();

    expect(await openContentDbForReading(handle)).toBeNull();

    expect(await databaseNames()).not.toContain(contentDbName(handle));
  });

  it('never migrates an older database, and reads nothing from it', async () => {
    const handle = freshHandle();
    (await openContentDb(contentDbName(handle), CONTENT_DB_VERSION - 1)).close();

    expect(await openContentDbForReading(handle)).toBeNull();

    const again = await openDB(contentDbName(handle));
    expect(again.version).toBe(CONTENT_DB_VERSION - 1);
    again.close();
  });

  it('gets out of the way when the peer host upgrades the database', async () => {
    const handle = freshHandle();
    (await openContentDb(contentDbName(handle))).close();
    const page = await openContentDbForReading(handle);
    expect(page).not.toBeNull();

    let blocked = false;
    const upgraded = await openDB(contentDbName(handle), CONTENT_DB_VERSION + 1, { blocked: () => (blocked = true) });

    expect(upgraded.version).toBe(CONTENT_DB_VERSION + 1);
    expect(blocked).toBe(false);
    upgraded.close();
  });
});
