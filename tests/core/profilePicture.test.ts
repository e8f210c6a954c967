import { describe, expect, it } from 'vitest';
import { bodyVersion, decodeBody, encodeBody, type ProfileBody } from '../../core/body';
import { ByteWriter, bytesEqual } from '../../core/bytes';
import { feedChangesOfAppend } from '../../core/feed';
import { LIMITS } from '../../core/limits';
import { writeMediaRef } from '../../core/media';
import { writePhoto } from '../../core/photo';
import { keepProfilePicture } from '../../core/profileMedia';
import { buildWallView } from '../../core/wallView';
import { imageBytes, makePhoto, nameOf, postPhotos, refOf } from './support/photos';
import { befriend, connect, makeUser, post, type User } from './support/world';

type Made = ReturnType<typeof makePhoto>;

/** alice publishes a profile (with `made` as its picture) the way the peer host does: entry, references, files. */
async function publish(u: User, displayName: string, made: Made | null) {
  const body: ProfileBody = { displayName, about: '', ...(made ? { picture: made.photo } : {}) };
  const entry = await post(u, { kind: 'profile', body });
  await keepProfilePicture({ store: u.media!.store, replica: u.replica }, u.identity.handle, entry, { kind: 'profile', body });
  if (made) {
    await u.media!.store.putFile(made.photo.full, made.full);
    await u.media!.store.putFile(made.photo.thumbnail, made.thumbnail);
  }
  return entry;
}

const holds = async (u: User, made: Made) =>
  bytesEqual((await u.media!.store.assemble(nameOf(made.photo.full))) ?? new Uint8Array(0), made.full) &&
  (await u.media!.store.completeSize(nameOf(made.photo.thumbnail))) === made.thumbnail.length;
const gone = async (u: User, made: Made) =>
  (await u.media!.store.completeSize(nameOf(made.photo.full))) === null && (await u.media!.store.wanted()).every((w) => !bytesEqual(w.ref.sha256, made.photo.full.sha256));

describe('profile bodies with a picture (format 2, version 4)', () => {
  const { photo } = makePhoto('face', 1, '');

  it('writes format 2 with the picture and format 1 without one, and each reads back as written', () => {
    const withPicture = encodeBody({ kind: 'profile', body: { displayName: 'Alice', about: 'hi', picture: photo } });
    const without = encodeBody({ kind: 'profile', body: { displayName: 'Alice', about: 'hi' } });
    expect([withPicture[0], without[0]]).toEqual([2, 1]);
    expect(decodeBody('profile', withPicture)).toEqual({ ok: true, value: { kind: 'profile', body: { displayName: 'Alice', about: 'hi', picture: photo } } });
    expect(decodeBody('profile', without)).toEqual({ ok: true, value: { kind: 'profile', body: { displayName: 'Alice', about: 'hi' } } });
    expect(bodyVersion('profile', withPicture)).toBe(4);
    expect(bodyVersion('profile', without)).toBe(1);
  });

  it('lists the picture in the profile feed change by its files and alt text', () => {
    const body = { kind: 'profile' as const, body: { displayName: 'Alice', about: '', picture: photo } };
    const entry = { id: 'p', seq: 3, receivedAt: 0, tombstoned: false, header: { kind: 'profile', wall: 'alice', createdAt: 0 } } as never;
    expect(feedChangesOfAppend(entry, body)).toEqual([
      { op: 'profile', wall: 'alice', seq: 3, displayName: 'Alice', about: '', picture: { full: nameOf(photo.full), thumbnail: nameOf(photo.thumbnail), alt: '' } },
    ]);
  });

  const format2 = (write: (w: ByteWriter) => void) => {
    const w = new ByteWriter().u8(2).text('Alice').text('');
    write(w);
    return w.finish();
  };

  it.each([
    ['a format-2 profile without its picture', format2(() => undefined), 'profile body'],
    ['bytes after the picture', format2((w) => writePhoto(w.u8(0), photo)), 'profile body'],
    ['a picture whose thumbnail is over 64 KiB', format2((w) => {
      writeMediaRef(w, photo.full);
      writeMediaRef(w, refOf(imageBytes(LIMITS.thumbnailBytes + 1, 'big')));
      w.text('');
    }), 'thumbnail'],
    ['alt text over 1 500 characters', format2((w) => {
      writeMediaRef(w, photo.full);
      writeMediaRef(w, photo.thumbnail);
      w.text('x'.repeat(LIMITS.altChars + 1));
    }), 'alt text'],
    ['an unknown format', new ByteWriter().u8(3).text('Alice').text('').finish(), 'unknown body format 3'],
  ])('refuses %s', (_, bytes, reason) => {
    expect(decodeBody('profile', bytes)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('refuses to write a picture whose thumbnail is over 64 KiB', () => {
    const big = refOf(imageBytes(LIMITS.thumbnailBytes + 1, 'big'));
    expect(() => encodeBody({ kind: 'profile', body: { displayName: '', about: '', picture: { ...photo, thumbnail: big } } })).toThrow(/thumbnail/);
  });
});

async function friends() {
  const alice = makeUser('alice', 'alice', { media: true });
  const bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  return { alice, bob };
}

describe('profile pictures between friends (version 4)', () => {
  it('travel to a friend, thumbnail first, byte for byte, and the friend serves them to the next', async () => {
    const { alice, bob } = await friends();
    const face = makePhoto('face', 3, '');
    await publish(alice, 'Alice', face);

    await connect(alice, bob);

    expect(await holds(bob, face)).toBe(true);
    const stored = bob.media!.events.filter((e) => e.type === 'mediaStored').map((e) => e.file);
    expect(stored).toEqual([nameOf(face.photo.thumbnail), nameOf(face.photo.full)]);
    expect(buildWallView('alice', await bob.replica.entriesAfter('alice', 0, 10)).profile?.picture).toEqual(face.photo);
    // Serving rule 2: a profile entry counts as a reference, so bob (holding alice's wall) may serve it.
    expect(await bob.media!.store.wallsReferencing(nameOf(face.photo.full))).toEqual(['alice']);
  });

  it('is withheld from a version-3 friend, who keeps syncing the rest', async () => {
    const alice = makeUser('alice', 'alice', { media: true });
    const bob = makeUser('bob', 'bob', { versions: [1, 2, 3] });
    await befriend(alice, bob);
    const profile = await publish(alice, 'Alice', makePhoto('face', 1, ''));
    await post(alice, { kind: 'post', body: { text: 'after the picture', media: [] } });

    await connect(alice, bob);

    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
    const held = await bob.replica.entriesAfter('alice', 0, 10);
    expect(held[0]).toMatchObject({ id: profile.id, body: null, tombstoned: false });
    expect(buildWallView('alice', held).posts.map((p) => p.text)).toEqual(['after the picture']);
  });

  it('frees the old picture when a newer profile replaces it, here and at the friend, and keeps one a rename keeps', async () => {
    const { alice, bob } = await friends();
    const first = makePhoto('first', 2, '');
    const second = makePhoto('second', 2, '');
    const beach = makePhoto('beach', 1);
    await postPhotos(alice, 'beach', [beach]);
    await publish(alice, 'Alice', first);
    const link = await connect(alice, bob);
    expect(await holds(bob, first)).toBe(true);

    await publish(alice, 'Alice A.', first); // a new name, the same picture
    await link.a.announce();
    await link.settle();
    for (const u of [alice, bob]) expect(await holds(u, first)).toBe(true);

    await publish(alice, 'Alice', second);
    await link.a.announce();
    await link.settle();
    for (const u of [alice, bob]) {
      expect(await gone(u, first)).toBe(true);
      expect(await holds(u, second)).toBe(true);
      expect(await holds(u, beach)).toBe(true); // a post's photo is not a profile's
    }

    await publish(alice, 'Alice', null); // "Remove profile picture"
    await link.a.announce();
    await link.settle();
    for (const u of [alice, bob]) expect(await gone(u, second)).toBe(true);
  });

  it('keeps only the newest picture when several profiles arrive in one batch', async () => {
    const { alice, bob } = await friends();
    const old = makePhoto('old', 1, '');
    const latest = makePhoto('latest', 1, '');
    await publish(alice, 'Alice', old);
    await publish(alice, 'Alice', latest);

    await connect(alice, bob);

    expect(await holds(bob, latest)).toBe(true);
    expect(await gone(bob, old)).toBe(true);
    expect(bob.media!.events.filter((e) => e.type === 'mediaStored')).toHaveLength(2);
  });
});
