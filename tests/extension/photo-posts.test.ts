import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSIONS } from '@/core/messages';
import { openStagedPhotos, stagePhotoFile } from '@/platform/staged-photos';
import { createSocialNetwork, type User } from './support/social-network';
import { heldFile as held, imageBytes, stagePhoto } from './support/staged-photo';

async function friends() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  for (const u of [alice, bob]) await net.goOnline(u);
  await net.befriend(alice, bob);
  await net.settle();
  return { net, alice, bob };
}

const postedBy = async (user: User) => (await user.service.feed(50)).filter((p) => p.author === 'alice');

describe('photo posts between two friends', () => {
  it('delivers alice’s photo post to bob with its alt text, and bob’s copies hash to their names', async () => {
    const { net, alice, bob } = await friends();
    const photo = await stagePhoto(1);

    const post = await alice.service.post('Up on the hill', [photo]);
    await net.settle();

    expect(post.photos).toEqual([photo]);
    expect((await postedBy(bob))[0]).toMatchObject({ text: 'Up on the hill', photos: [photo] });
    for (const name of [photo.full, photo.thumbnail]) {
      expect(await held(alice.db, name)).toBe(name);
      expect(await held(bob.db, name)).toBe(name);
    }
    expect(alice.service.connectionLog('bob').some((e) => e.text.includes(`protocol ${PROTOCOL_VERSIONS.at(-1)}`))).toBe(true);
  });

  it('takes a photo of many chunks from a friend without holding them against the friend’s message limits', async () => {
    // 48 chunks and 3 MiB, well over these limits: only what bob did not ask for counts.
    const net = createSocialNetwork({ social: { linkLimits: { framesPerMinute: 40, bytesPerHour: 1024 * 1024 } } });
    const [alice, bob] = [await net.addUser('alice'), await net.addUser('bob')];
    for (const u of [alice, bob]) await net.goOnline(u);
    await net.befriend(alice, bob);
    await net.settle();
    const db = await openStagedPhotos();
    const full = await stagePhotoFile(db, imageBytes(48 * 64 * 1024, 5), 'image/jpeg', Date.now());
    const thumbnail = await stagePhotoFile(db, imageBytes(3_000, 6), 'image/jpeg', Date.now());

    await alice.service.post('The whole ridge in one picture', [{ full, thumbnail, alt: 'A ridge from end to end' }]);
    for (let round = 0; round < 100 && (await held(bob.db, full)) === null; round++) await net.settle();

    expect(await held(bob.db, full)).toBe(full);
    expect(bob.service.connectionLog('alice').map((e) => e.text).join('\n')).not.toMatch(/too many|too much/);
  });

  it('posts a photo with no text at all', async () => {
    const { net, alice, bob } = await friends();
    const photo = await stagePhoto(60, '');
    await alice.service.post('', [photo]);
    await net.settle();
    expect((await postedBy(bob))[0]).toMatchObject({ text: '', photos: [photo] });
  });

  it('writes a text-only post as before, with no photos', async () => {
    const { net, alice, bob } = await friends();
    await alice.service.post('just words');
    await net.settle();
    expect((await postedBy(bob))[0]).toMatchObject({ text: 'just words', photos: [] });
  });

  it.each([
    ['a photo that was never staged', async () => ({ ...(await stagePhoto(2)), full: 'ab'.repeat(32) }), /Photo 1 was not prepared/],
    [
      'a file that is not an image',
      async () => {
        const db = await openStagedPhotos();
        const full = await stagePhotoFile(db, imageBytes(2_000, 3, [0x25, 0x50, 0x44, 0x46]), 'image/jpeg', Date.now());
        return { ...(await stagePhoto(4)), full };
      },
      /Photo 1 is not an image Peerwall can post/,
    ],
    [
      'a staged file changed after it was named',
      async () => {
        const photo = await stagePhoto(5);
        const db = await openStagedPhotos();
        await db.put('staged', { name: photo.full, bytes: imageBytes(150_000, 6), type: 'image/jpeg', stagedAt: Date.now() });
        return photo;
      },
      /Photo 1 changed after it was prepared/,
    ],
    [
      'a thumbnail larger than one chunk',
      async () => {
        const db = await openStagedPhotos();
        const thumbnail = await stagePhotoFile(db, imageBytes(70_000, 7), 'image/jpeg', Date.now());
        return { ...(await stagePhoto(8)), thumbnail };
      },
      /preview of photo 1 is too large/,
    ],
  ])('refuses %s with a sentence, and stores nothing', async (_what, make, sentence) => {
    const { alice } = await friends();
    const photo = await make();

    await expect(alice.service.post('nope', [photo])).rejects.toThrow(sentence);

    expect(await postedBy(alice)).toEqual([]);
    expect(await held(alice.db, photo.thumbnail)).toBeNull();
  });

  it('refuses more than four photos', async () => {
    const { alice } = await friends();
    const photos = [];
    for (let i = 0; i < 5; i++) photos.push(await stagePhoto(20 + i));
    await expect(alice.service.post('five', photos)).rejects.toThrow(/at most 4 photos/);
    expect(await postedBy(alice)).toEqual([]);
  });

  it('frees the files of a deleted post on both sides', async () => {
    const { net, alice, bob } = await friends();
    const photo = await stagePhoto(30);
    const post = await alice.service.post('soon gone', [photo]);
    await net.settle();
    expect(await held(bob.db, photo.full)).toBe(photo.full);

    await alice.service.remove('alice', post.id);
    await net.settle();

    for (const user of [alice, bob]) expect(await held(user.db, photo.full)).toBeNull();
    expect(await held(alice.db, photo.thumbnail)).toBeNull();
  });

  it('keeps the photos of a post whose text alice edits, on both sides', async () => {
    const { net, alice, bob } = await friends();
    const photo = await stagePhoto(35);
    const post = await alice.service.post('first words', [photo]);
    await net.settle();

    await alice.service.edit('alice', post.id, 'better words');
    await net.settle();

    for (const user of [alice, bob]) expect((await postedBy(user))[0]).toMatchObject({ text: 'better words', edited: true, photos: [photo] });
    expect(await held(bob.db, photo.full)).toBe(photo.full);
  });

  it('drops a former friend’s files on unfriending', async () => {
    const { net, alice, bob } = await friends();
    const photo = await stagePhoto(40);
    await alice.service.post('hill', [photo]);
    await net.settle();

    await bob.service.unfriend('alice');
    await net.settle();

    expect(await held(bob.db, photo.full)).toBeNull();
    expect(await held(alice.db, photo.full)).toBe(photo.full);
  });

  it('drops the staged files once the post is written', async () => {
    const { alice } = await friends();
    const photo = await stagePhoto(50);
    await alice.service.post('tidy', [photo]);
    const db = await openStagedPhotos();
    expect(await db.get('staged', photo.full)).toBeUndefined();
  });
});
