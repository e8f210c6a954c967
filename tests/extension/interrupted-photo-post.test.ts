import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { queueForFriend, writeOwnEntry } from '@/core/author';
import { openContentDb } from '@/platform/content-db';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { createPhotoClaims } from '@/platform/social/photo-claims';
import { openStagedPhotos, readStagedFile } from '@/platform/staged-photos';
import { befriend, deps, makeUser } from '../core/support/world';
import { heldFile, stagePhoto } from './support/staged-photo';

let counter = 0;

/** alice, befriended with bob, on a content database of her own; the photo claims her peer host makes. */
async function alice() {
  const db = await openContentDb(`interrupted-photo-${++counter}`);
  const user = makeUser('alice', 'alice', { media: true });
  const bob = makeUser('bob', 'bob', { media: true });
  user.replica = createIdbReplica(db);
  await befriend(user, bob);
  const media = createIdbMediaStore(db);
  const claims = () => createPhotoClaims({ media, openStaged: openStagedPhotos, now: Date.now });
  return { db, user, claims };
}

/**
 * The browser stops after a post's entry is written and before its photo files are kept (own-wall.ts and
 * conversation.ts keep them right after): the next start keeps them from the staging area.
 */
describe('a photo post the browser stopped in the middle of (issue 13)', () => {
  it('keeps the photos of an own post written just before the stop, on the next start', async () => {
    const { db, user, claims } = await alice();
    const request = await stagePhoto(71);
    const claimed = (await claims().claim([request]))!;
    const written = await writeOwnEntry(user.replica, user.identity, { kind: 'post', body: { text: 'kite', media: [], photos: claimed.photos } }, deps(user));
    expect(written.ok).toBe(true);
    // Stopped here: the entry refers to files not kept yet.
    expect(await heldFile(db, request.full)).toBeNull();

    expect(await claims().resume()).toBe(2);
    expect(await heldFile(db, request.full)).toBe(request.full);
    expect(await heldFile(db, request.thumbnail)).toBe(request.thumbnail);
    expect(await readStagedFile(await openStagedPhotos(), request.full)).toBeUndefined();
  });

  it('keeps the photos of a post queued for a friend’s wall just before the stop: the queue records them with the post', async () => {
    const { db, user, claims } = await alice();
    const request = await stagePhoto(72);
    const claimed = (await claims().claim([request]))!;
    const queued = await queueForFriend(user.replica, user.identity, 'bob', { kind: 'wallPost', body: { text: 'for you', media: [], photos: claimed.photos } }, deps(user));
    expect(queued.ok).toBe(true);
    const uses = await db.getAll('mediaUses');
    expect(uses.filter((u) => u.wall === 'bob' && queued.ok && u.entry === queued.value).map((u) => u.name).sort()).toEqual([request.full, request.thumbnail].sort());

    expect(await claims().resume()).toBe(2);
    expect(await heldFile(db, request.full)).toBe(request.full);
    expect(await heldFile(db, request.thumbnail)).toBe(request.thumbnail);
  });

  it('keeps nothing it cannot check: a staged file that does not hash to a wanted name stays out', async () => {
    const { db, user, claims } = await alice();
    const request = await stagePhoto(73);
    const claimed = (await claims().claim([request]))!;
    await writeOwnEntry(user.replica, user.identity, { kind: 'post', body: { text: 'kite', media: [], photos: claimed.photos } }, deps(user));
    // The staged full image is replaced by other bytes under its name (a damaged staging area).
    const staged = await openStagedPhotos();
    const record = (await readStagedFile(staged, request.full))!;
    await staged.put('staged', { ...record, bytes: record.bytes.slice(0, 1000) });

    await claims().resume();
    expect(await heldFile(db, request.full)).toBeNull();
    expect(await heldFile(db, request.thumbnail)).toBe(request.thumbnail);
  });
});
