import { describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import { safetyNumber } from '@/core/safetyNumber';
import { oldWallGone } from '@/platform/social/key-changes';
import { createSocialNetwork, type User } from './support/social-network';

/**
 * Alice and bob are friends; bob writes a post, then goes away. While he is away alice writes on his
 * wall and comments on his post. Bob then loses his browser without a backup: a fresh profile, same
 * handle, a new identity key.
 */
async function bobReinstalls() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const oldBob = await net.addUser('bob');
  await net.goOnline(alice);
  await net.goOnline(oldBob);
  await net.befriend(alice, oldBob);
  const old = await oldBob.service.post('from my old browser');
  await net.settle();
  await net.goOffline(oldBob);
  oldBob.service.stop();
  const wallPost = await alice.service.writeOnWall('bob', 'written while you were away');
  const comment = await alice.service.comment('bob', old.id, 'nice post');
  const bob = await net.addUser('bob');
  return { net, alice, oldBob, bob, wallPost, comment };
}

const bobRow = async (alice: User) => (await alice.service.state()).friends.find((f) => f.handle === 'bob')!;
const wallTexts = async (user: User, wall: string) => (await user.service.feed(50, wall)).map((p) => [p.author, p.text, p.pending]);

describe('a friend’s key change', () => {
  it('is kept across a restart, announced once, and refused until alice accepts it; then her queued post reaches bob’s new wall', async () => {
    const { net, alice, bob, wallPost, comment } = await bobReinstalls();
    const pinned = toHex((await alice.service.replica.friend('bob'))!.key);
    await net.goOnline(bob);
    await bob.service.addFriend('alice'); // the fresh profile asks again, with its new key
    await net.settle();
    await bob.service.addFriend('alice').catch(() => undefined); // a second ask changes nothing
    await net.restart(alice);

    const row = await bobRow(alice);
    expect(row.keyChange).toEqual({ at: expect.any(Number), safetyNumber: safetyNumber({ handle: 'alice', key: alice.identity.publicKey }, { handle: 'bob', key: bob.identity.publicKey }), recovery: false });
    expect(row.keyChange!.safetyNumber).not.toBe(row.safetyNumber);
    expect(alice.notices.filter((n) => n.title === 'Identity key changed')).toHaveLength(1);
    expect(toHex((await alice.service.replica.friend('bob'))!.key)).toBe(pinned);
    expect((await bob.service.state()).friends).toEqual([]);
    expect(await wallTexts(alice, 'bob')).toEqual([
      ['alice', 'written while you were away', true],
      ['bob', 'from my old browser', false],
    ]);

    await alice.service.acceptKeyChange('bob');
    await net.settle();

    expect(toHex((await alice.service.replica.friend('bob'))!.key)).toBe(toHex(bob.identity.publicKey));
    expect((await bobRow(alice)).keyChange).toBeNull();
    expect((await bob.service.state()).friends.map((f) => f.handle)).toEqual(['alice']);
    // Re-signed for bob's new key (a new id) and sealed on his new wall; the old wall is gone.
    const onBobsWall = await bob.service.feed(50, 'bob');
    expect(onBobsWall.map((p) => [p.author, p.text])).toEqual([['alice', 'written while you were away']]);
    expect(onBobsWall[0]!.id).not.toBe(wallPost.id);
    expect(await wallTexts(alice, 'bob')).toEqual([['alice', 'written while you were away', false]]);
    expect(await alice.service.replica.outbox('bob')).toEqual([]);
    // The comment answered a post of the dropped wall: alice is told it cannot be delivered.
    expect((await alice.service.state()).rejections).toMatchObject([{ id: comment.id, wall: 'bob', kind: 'comment', text: 'nice post', reason: oldWallGone('bob') }]);
    expect(alice.notices.filter((n) => n.title === 'Identity key changed')).toHaveLength(1);
  });

  it('seen in a sync handshake is refused until accepted, then alice connects again at once', async () => {
    const { net, alice, bob } = await bobReinstalls();
    // Bob's new profile still lists alice (e.g. he re-added her by hand before she saw anything).
    await bob.service.replica.putFriend({ handle: 'alice', key: alice.identity.publicKey, rotations: [], since: 0 });
    await net.restart(bob);
    await net.goOnline(bob);
    await net.time.advance(5_000);
    await net.settle();

    expect((await bobRow(alice)).keyChange).not.toBeNull();
    expect((await bobRow(alice)).presence).not.toBe('online');
    expect(alice.notices.filter((n) => n.title === 'Identity key changed')).toHaveLength(1);
    expect(await bob.service.feed(50, 'bob')).toEqual([]);

    await alice.service.acceptKeyChange('bob');
    await net.settle(); // no waiting for the backoff: the refusal was lifted

    expect((await bobRow(alice)).presence).toBe('online');
    expect((await bob.service.feed(50, 'bob')).map((p) => [p.author, p.text])).toEqual([['alice', 'written while you were away']]);
  });

  it('cannot be accepted when none is waiting, and unfriending forgets one', async () => {
    const { net, alice, bob } = await bobReinstalls();
    await expect(alice.service.acceptKeyChange('bob')).rejects.toThrow('@bob has no new key waiting to be accepted.');
    await net.goOnline(bob);
    await bob.service.addFriend('alice');
    await net.settle();
    expect((await bobRow(alice)).keyChange).not.toBeNull();

    await alice.service.unfriend('bob');

    await expect(alice.service.acceptKeyChange('bob')).rejects.toThrow('no new key waiting');
  });
});
