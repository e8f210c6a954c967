import { describe, expect, it } from 'vitest';
import { createSocialNetwork, type User } from './support/social-network';

/** alice, bob and carol are friends of each other, dave is carol's only; everyone has met once. */
async function circle() {
  const net = createSocialNetwork();
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((h) => net.addUser(h))) as [User, User, User, User];
  for (const u of [alice, bob, carol, dave]) await net.goOnline(u);
  await net.befriend(alice, bob);
  await net.befriend(alice, carol);
  await net.befriend(bob, carol);
  await net.befriend(carol, dave);
  await net.settle();
  return { net, alice, bob, carol, dave };
}

const texts = async (u: User, wall: string | null = null) => (await u.service.feed(50, wall)).map((p) => [p.author, p.text, p.via]);

describe('reach through mutual friends (the extension)', () => {
  it('brings alice’s post to bob through carol while alice is away, marked via @carol, with a notification', async () => {
    const { net, alice, bob, carol } = await circle();
    await net.goOffline(bob);
    await alice.service.post('the lake froze over');
    await net.settle();
    expect(await texts(carol)).toContainEqual(['alice', 'the lake froze over', null]);
    await net.goOffline(alice);
    bob.notices = [];

    await net.goOnline(bob);

    expect(await texts(bob)).toContainEqual(['alice', 'the lake froze over', 'carol']);
    expect(bob.notices.map((n) => n.title)).toEqual(['@alice posted']);
    const aliceRow = (await bob.service.state()).friends.find((f) => f.handle === 'alice');
    expect(aliceRow?.wallUpToDate).toEqual({ at: expect.any(Number), via: 'carol' });
  });

  it('passes news on over open sessions: carol’s new copy reaches bob at once', async () => {
    const { net, alice, bob, carol } = await circle();
    // alice and bob cannot connect to each other (their network blocks it), both can reach carol.
    net.iceBlocked.add('alice+bob');
    await net.goOffline(bob);
    await net.goOnline(bob);
    await alice.service.post('seen through carol');
    await net.settle();
    expect(await texts(carol)).toContainEqual(['alice', 'seen through carol', null]);
    expect(await texts(bob)).toContainEqual(['alice', 'seen through carol', 'carol']);
  });

  it('carries bob’s post on alice’s wall through carol; alice seals it; carol and bob see it', async () => {
    const { net, alice, bob, carol } = await circle();
    await net.goOffline(alice);
    const receipt = await bob.service.writeOnWall('alice', 'happy birthday!');
    expect(receipt.message).toBe('Will be delivered when @alice comes online.');
    await net.settle();
    await net.goOffline(bob);

    await net.goOnline(alice);

    expect(await texts(alice, 'alice')).toEqual([['bob', 'happy birthday!', null]]);
    expect(await texts(carol, 'alice')).toEqual([['bob', 'happy birthday!', null]]);
    await net.goOffline(alice);
    await net.goOnline(bob);
    expect(await texts(bob, 'alice')).toEqual([['bob', 'happy birthday!', 'carol']]);
  });

  it('refuses a post on the wall of someone who is not a friend, saying so', async () => {
    const { bob } = await circle();
    await expect(bob.service.writeOnWall('dave', 'hi')).rejects.toThrow('@dave is not your friend.');
  });

  it('gives bob nothing alice wrote after unfriending him, and dave nothing of alice’s wall ever', async () => {
    const { net, alice, bob, carol, dave } = await circle();
    await net.goOffline(bob);
    await alice.service.unfriend('bob');
    await alice.service.post('for my friends only');
    await net.settle();
    expect(await texts(carol)).toContainEqual(['alice', 'for my friends only', null]);
    await net.goOffline(alice);

    await net.goOnline(bob);

    expect(await texts(bob)).not.toContainEqual(expect.arrayContaining(['for my friends only']));
    expect(await texts(dave)).toEqual([]);
    expect(await dave.service.feed(50, 'alice')).toEqual([]);
  });
});
