import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBody, photoFiles } from '@/core/body';
import { toHex } from '@/core/bytes';
import { openContentDb } from '@/platform/content-db';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { befriend, makeUser, post, text, type User } from '../core/support/world';
import { makePhoto, nameOf, postPhotos } from '../core/support/photos';
import { life } from './support/crash-life';

/** About 2.6 KB each: with the photo posts among them, the catch-up takes 3 batches. */
const TEXT_POSTS = 200;

let alice: User;
let bob: User;
let first: Awaited<ReturnType<typeof postPhotos>>;

beforeAll(async () => {
  alice = makeUser('alice', 'alice', { media: true });
  bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  for (let i = 1; i <= TEXT_POSTS; i++) {
    await post(alice, text(`post ${i} `.padEnd(2_500, 'x')));
    if (i % 40 === 0) {
      const written = await postPhotos(alice, `photos after post ${i}`, [makePhoto(`p${i}`, 2)]);
      first ??= written;
    }
  }
}, 60_000);

describe('crash safety of the photos a catch-up brings (issue 13)', () => {
  it('keeps, with each stored batch, what its photos refer to: a crash right after the store loses no photo', async () => {
    const name = 'crash-photos';
    let db = await openContentDb(name);
    const run = await life(alice, bob, db, { wall: 'alice', batch: 1, point: 'afterStore', action: 'freeze' }, { photos: true });
    expect(run.struck).toBe(true);
    db.close(); // killed before the session heard the batch was stored
    db = await openContentDb(name);

    // Every photo of every stored entry is wanted: referred to, its file at least partial.
    const held = await db.getAll('entries');
    const refs = held.flatMap((e) => {
      const body = e.body ? decodeBody(e.header.kind, e.body) : null;
      return photoFiles(body?.ok ? body.value : null).map((p) => ({ entry: e.id, name: toHex(p.ref.sha256) }));
    });
    expect(refs.length).toBeGreaterThan(0);
    const uses = await db.getAll('mediaUses');
    for (const ref of refs) expect(uses.some((u) => u.wall === 'alice' && u.entry === ref.entry && u.name === ref.name)).toBe(true);
    expect(new Set(uses.map((u) => u.name))).toEqual(new Set(refs.map((r) => r.name)));
    expect((await db.getAll('mediaFiles')).map((f) => f.name).sort()).toEqual([...new Set(refs.map((r) => r.name))].sort());

    // The next life brings the rest and every file, whole.
    expect((await life(alice, bob, db, null, { photos: true })).struck).toBe(false);
    const files = await db.getAll('mediaFiles');
    const photos = (await alice.replica.entriesAfter('alice', 0, 1_000)).filter((e) => e.header.kind === 'post' && e.body && photoFiles((decodeBody('post', e.body) as { ok: true; value: never }).value).length);
    expect(files).toHaveLength(photos.length * 2);
    expect(files.every((f) => f.status === 'complete')).toBe(true);
    expect(files.map((f) => f.name)).toContain(nameOf(makePhoto('p40', 2).photo.full));
    db.close();
  });

  it('frees a deleted post’s photos in the batch that deletes it: a crash right after the store keeps none of them', async () => {
    const name = 'crash-photos-delete';
    let db = await openContentDb(name);
    expect((await life(alice, bob, db, null, { photos: true })).struck).toBe(false);
    const { photo } = makePhoto('p40', 2);
    const files = [nameOf(photo.full), nameOf(photo.thumbnail)];
    expect((await db.getAll('mediaFiles')).filter((f) => files.includes(f.name)).map((f) => f.status)).toEqual(['complete', 'complete']);

    await post(alice, { kind: 'delete', target: first.id, body: null });
    const run = await life(alice, bob, db, { wall: 'alice', batch: 1, point: 'afterStore', action: 'freeze' }, { photos: true });
    expect(run.struck).toBe(true);
    db.close();
    db = await openContentDb(name);

    expect((await db.getAll('mediaUses')).filter((u) => u.entry === first.id)).toEqual([]);
    expect((await db.getAll('mediaFiles')).filter((f) => files.includes(f.name))).toEqual([]);
    expect((await db.getAll('mediaChunks')).filter((c) => files.includes(c.name))).toEqual([]);
    // The other photos stay, whole.
    expect((await db.getAll('mediaFiles')).filter((f) => f.status === 'complete').length).toBeGreaterThan(0);
    db.close();
  });

  it('frees a dropped wall’s photos with the wall (unfriending), in one transaction', async () => {
    const db = await openContentDb('crash-photos-drop');
    expect((await life(alice, bob, db, null, { photos: true })).struck).toBe(false);
    expect((await db.getAll('mediaFiles')).length).toBeGreaterThan(0);

    await createIdbReplica(db).dropWall('alice'); // the photo store's own dropWall never runs: a crash came first

    expect(await db.count('entries')).toBe(0);
    expect(await db.count('mediaUses')).toBe(0);
    expect(await db.count('mediaFiles')).toBe(0);
    expect(await db.count('mediaChunks')).toBe(0);
    db.close();
  });
});
