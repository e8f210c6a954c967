import { describe, expect, it } from 'vitest';
import { openStagedPhotos } from '@/platform/staged-photos';
import { createSocialNetwork, type User } from './support/social-network';
import { heldFile, stagePhoto } from './support/staged-photo';

/** alice is friends with bob and with carol; bob and carol are not friends, so carol can fetch only from alice. */
async function cast() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  const carol = await net.addUser('carol');
  for (const u of [alice, bob, carol]) await net.goOnline(u);
  await net.befriend(alice, bob);
  await net.befriend(alice, carol);
  await net.settle();
  /** Lets every session finish and a second pass, so what an owner sealed is announced (at most once a second). */
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await net.settle();
      await net.time.advance(1_000);
    }
    await net.settle();
  };
  return { net: { ...net, settle }, alice, bob, carol };
}

const onAlicesWall = async (user: User, text: string) => (await user.service.feed(50, 'alice')).find((p) => p.text === text);

describe('photos on a friend’s wall', () => {
  it('bob’s photo post on alice’s wall is sealed by alice, who fetches its files from bob, and carol fetches them from alice', async () => {
    const { net, alice, bob, carol } = await cast();
    const photo = await stagePhoto(70, 'Our picnic', 300_000);

    const receipt = await bob.service.writeOnWall('alice', 'For your wall', [photo]);
    await net.settle();

    for (const reader of [alice, bob, carol]) {
      expect(await onAlicesWall(reader, 'For your wall')).toMatchObject({ id: receipt.id, author: 'bob', pending: false, photos: [photo] });
      for (const name of [photo.thumbnail, photo.full]) expect([reader.handle, await heldFile(reader.db, name)]).toEqual([reader.handle, name]);
    }
    expect(await (await openStagedPhotos()).get('staged', photo.full)).toBeUndefined();
  });

  it('shows the post with its photos to bob at once while alice is offline, and delivers it with its files when she returns', async () => {
    const { net, alice, bob, carol } = await cast();
    await net.goOffline(alice);
    const photo = await stagePhoto(71, 'Waiting photo');

    const receipt = await bob.service.writeOnWall('alice', 'While you were out', [photo]);
    await net.settle();

    expect(receipt.message).toMatch(/when @alice comes online/);
    expect(await onAlicesWall(bob, 'While you were out')).toMatchObject({ pending: true, photos: [photo] });
    expect(await heldFile(bob.db, photo.full)).toBe(photo.full);
    expect(await heldFile(carol.db, photo.full)).toBeNull();

    await net.goOnline(alice);
    await net.settle();

    for (const reader of [alice, carol]) {
      expect(await onAlicesWall(reader, 'While you were out')).toMatchObject({ author: 'bob', pending: false, photos: [photo] });
      expect(await heldFile(reader.db, photo.full)).toBe(photo.full);
    }
  });

  it('refuses a photo wall post whose file was not staged, and queues nothing', async () => {
    const { alice, bob } = await cast();
    const photo = { ...(await stagePhoto(72)), full: 'cd'.repeat(32) };

    await expect(bob.service.writeOnWall('alice', 'broken', [photo])).rejects.toThrow(/Photo 1 was not prepared/);

    expect(await onAlicesWall(bob, 'broken')).toBeUndefined();
    expect(await onAlicesWall(alice, 'broken')).toBeUndefined();
  });

  it('frees the files of bob’s photo wall post on every side when alice deletes it', async () => {
    const { net, alice, bob, carol } = await cast();
    const photo = await stagePhoto(73);
    const receipt = await bob.service.writeOnWall('alice', 'not for long', [photo]);
    await net.settle();
    expect(await heldFile(carol.db, photo.full)).toBe(photo.full);

    await alice.service.remove('alice', receipt.id);
    await net.settle();

    for (const reader of [alice, bob, carol]) expect(await heldFile(reader.db, photo.full)).toBeNull();
  });
});
