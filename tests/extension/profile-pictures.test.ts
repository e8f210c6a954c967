import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '@/core/bytes';
import { readMediaFile } from '@/platform/read-media-file';
import { openStagedPhotos, stagePhotoFile } from '@/platform/staged-photos';
import type { ContentDb } from '@/platform/content-db';
import { createSocialNetwork, type User } from './support/social-network';

/** JPEG-signed bytes that differ per `seed`. */
function imageBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 13 + seed * 11) & 0xff;
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

/** What ProfileForm does: stages the re-encoded picture and its thumbnail, and names them. */
async function stagePicture(seed: number) {
  const db = await openStagedPhotos();
  const full = await stagePhotoFile(db, imageBytes(90_000, seed), 'image/jpeg', Date.now());
  const thumbnail = await stagePhotoFile(db, imageBytes(2_000, seed + 500), 'image/jpeg', Date.now());
  return { full, thumbnail, alt: '' };
}

const held = async (db: ContentDb, name: string) => {
  const blob = await readMediaFile(db, name);
  return blob ? toHex(sha256(new Uint8Array(await blob.arrayBuffer()))) : null;
};

async function friends() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  for (const u of [alice, bob]) await net.goOnline(u);
  await net.befriend(alice, bob);
  await net.settle();
  return { net, alice, bob };
}

const pictureOf = async (viewer: User, handle: string) => (await viewer.service.state()).profiles.find((p) => p.handle === handle)?.picture;

describe('profile pictures between two friends', () => {
  it('delivers alice’s picture to bob, whose copies hash to their names', async () => {
    const { net, alice, bob } = await friends();
    const picture = await stagePicture(1);

    await alice.service.setProfile('Alice', 'hello', picture);
    await net.settle();

    for (const u of [alice, bob]) {
      expect(await pictureOf(u, 'alice')).toEqual({ full: picture.full, thumbnail: picture.thumbnail });
      expect(await held(u.db, picture.full)).toBe(picture.full);
      expect(await held(u.db, picture.thumbnail)).toBe(picture.thumbnail);
    }
  });

  it('keeps the picture when only the name changes, replaces it with a new one and frees the old, and removes it', async () => {
    const { net, alice, bob } = await friends();
    const first = await stagePicture(2);
    await alice.service.setProfile('Alice', '', first);
    await alice.service.setProfile('Alice L.', '');
    await net.settle();
    expect(await pictureOf(bob, 'alice')).toEqual({ full: first.full, thumbnail: first.thumbnail });
    expect(await held(alice.db, first.full)).toBe(first.full);

    const second = await stagePicture(3);
    await alice.service.setProfile('Alice L.', '', second);
    await net.settle();
    for (const u of [alice, bob]) {
      expect(await pictureOf(u, 'alice')).toEqual({ full: second.full, thumbnail: second.thumbnail });
      expect(await held(u.db, first.full)).toBeNull();
      expect(await held(u.db, second.thumbnail)).toBe(second.thumbnail);
    }

    await alice.service.setProfile('Alice L.', '', null);
    await net.settle();
    for (const u of [alice, bob]) {
      expect(await pictureOf(u, 'alice')).toBeUndefined();
      expect(await held(u.db, second.full)).toBeNull();
    }
  });

  it('refuses a picture that was never staged, in words about the picture, and publishes nothing', async () => {
    const { alice } = await friends();
    const picture = { ...(await stagePicture(4)), full: 'ab'.repeat(32) };
    await expect(alice.service.setProfile('Alice', '', picture)).rejects.toMatchObject({ code: 'invalid_post', message: expect.stringMatching(/^The profile picture was not prepared/) });
    expect((await alice.service.state()).profiles.find((p) => p.handle === 'alice')).toBeUndefined();
  });
});
