import { describe, expect, it } from 'vitest';
import { loadOrCreateIdentity } from '@/platform/social/identity-store';
import { createSocialNetwork, type User } from './support/social-network';

/** Carol has a wall alice and bob hold; she loses her browser without a backup and signs in afresh. */
async function carolLosesHerBrowser() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  const oldCarol = await net.addUser('carol');
  for (const u of [alice, bob, oldCarol]) await net.goOnline(u);
  await net.befriend(oldCarol, alice);
  await net.befriend(oldCarol, bob);
  await oldCarol.service.post('one');
  await oldCarol.service.post('two');
  await net.settle();
  await net.goOffline(oldCarol);
  oldCarol.service.stop();
  const carol = await net.addUser('carol', undefined, { signedIn: true });
  await net.goOnline(carol);
  return { net, alice, bob, carol };
}

const texts = async (u: User, wall: string) => (await u.service.feed(50, wall)).map((p) => p.text);

describe('recover from friends, in the extension (§8)', () => {
  it('asks the named friends, waits for both, restores the wall and continues it after a restart', async () => {
    const { net, alice, bob, carol } = await carolLosesHerBrowser();
    await carol.service.recoverFromFriends(['alice', '@bob']);
    await net.settle();
    expect(carol.service.recovery()).toEqual({ waitingFor: ['alice', 'bob'] });
    expect((await carol.service.state()).recovering).toBe(true);

    await alice.service.acceptKeyChange('carol');
    await net.settle();
    expect(carol.service.recovery()).toEqual({ waitingFor: ['bob'] });

    await bob.service.acceptKeyChange('carol');
    await net.settle();
    expect(carol.service.recovery()).toBeNull();
    expect(carol.notices.find((n) => n.title === 'Wall restored')?.message).toBe('Your wall is back, restored from @alice.');
    expect(await texts(carol, 'carol')).toEqual(['two', 'one']);

    // The peer host starts again with the saved identity, whose history now ends at the new key.
    carol.identity = await loadOrCreateIdentity(carol.db, 'carol', () => new Uint8Array(32), net.time.now);
    expect(carol.identity.rotations.map((s) => s.format ?? 1)).toEqual([2]);
    await net.restart(carol);
    await carol.service.post('three');
    await net.time.advance(5_000); // friends dial again after the restart cut their connections
    await net.settle();
    for (const friend of [alice, bob]) expect(await texts(friend, 'carol')).toEqual(['three', 'two', 'one']);
  });

  it('says who it waits for, and Skip starts the wall afresh', async () => {
    const { net, carol } = await carolLosesHerBrowser();
    await carol.service.recoverFromFriends(['alice']);
    await net.restart(carol); // the wait survives a restart
    expect(carol.service.recovery()).toEqual({ waitingFor: ['alice'] });
    await carol.service.skipRecovery();
    expect(carol.service.recovery()).toBeNull();
    expect((await carol.service.state()).recovering).toBe(false);
    await carol.service.post('a fresh start');
    expect(await texts(carol, 'carol')).toEqual(['a fresh start']);
  });

  it('is offered after a sign-in that found no key here, and refused after creating an account', async () => {
    const { net, carol } = await carolLosesHerBrowser();
    expect((await carol.service.state()).mayRecoverFromFriends).toBe(true);
    const dora = await net.addUser('dora'); // a new account: its key was made at sign-up
    await net.goOnline(dora);
    expect((await dora.service.state()).mayRecoverFromFriends).toBeUndefined();
    await expect(dora.service.recoverFromFriends(['alice'])).rejects.toThrow('Recover from friends is for signing in to an existing account');
    expect((await dora.service.state()).recovering).toBe(false);

    await carol.service.recoverFromFriends(['alice']);
    expect((await carol.service.state()).mayRecoverFromFriends).toBeUndefined();
    await net.restart(carol); // asked once: the offer is used up
    await carol.service.skipRecovery();
    expect((await carol.service.state()).mayRecoverFromFriends).toBeUndefined();
  });

  it('is refused once the fresh account has written or befriended anyone', async () => {
    const { carol } = await carolLosesHerBrowser();
    await carol.service.post('too late');
    await expect(carol.service.recoverFromFriends(['alice'])).rejects.toThrow('Recover from friends works right after signing in');
    await expect(carol.service.recoverFromFriends([])).rejects.toThrow('Name between 1 and 8 friends');
  });
});

describe('a browser stopped between restoring the wall and saving the identity', () => {
  it('saves the identity with its history on the next start', async () => {
    const { net, alice, carol } = await carolLosesHerBrowser();
    const fresh = carol.identity;
    await carol.service.recoverFromFriends(['alice']);
    await net.settle();
    await alice.service.acceptKeyChange('carol');
    await net.settle();
    expect(carol.service.recovery()).toBeNull();
    // As if the browser stopped before the identity was written: the stored one has no history yet.
    const tx = carol.db.transaction('identity', 'readwrite');
    await tx.store.put({ ...fresh, createdAt: 1 });
    await tx.done;

    await net.restart(carol);
    const saved = await loadOrCreateIdentity(carol.db, 'carol', () => new Uint8Array(32), net.time.now);
    expect(saved.rotations.map((s) => s.format ?? 1)).toEqual([2]);
    expect(saved.publicKey).toEqual(fresh.publicKey);
  });
});
