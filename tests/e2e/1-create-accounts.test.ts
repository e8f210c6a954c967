import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { currentPlace, goTo } from './support/places';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';

describe.each(PAIRINGS)('scenario 1: new accounts, %s ↔ %s', (aliceBrowser, bobBrowser) => {
  const scene = new Scene(`1-create-accounts-${aliceBrowser}-${bobBrowser}`);
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', aliceBrowser],
      ['bob', bobBrowser],
    ])) as [TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it('two new users create accounts from the popup, both show Online, befriend each other and sync posts both ways', async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);

    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await scene.screenshotAll('online');

    expect(await alicePopup.visibleText()).toContain('alice');
    expect(await bobPopup.visibleText()).toContain('bob');
    // Signed in, the popup opens on the Feed; signing out lives in Settings.
    expect(await currentPlace(alicePopup)).toBe('Feed');
    await goTo(alicePopup, 'Settings');
    expect(await alicePopup.hasButton('Sign out')).toBe(true);

    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    // A new peer host shows a friend Online only once their sync data connection is ready.
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
    await writePost(alicePopup, 'Hello bob, from alice');
    await waitForPost(bobPopup, 'alice', 'Hello bob, from alice');
    await writePost(bobPopup, 'Hello alice, from bob');
    await waitForPost(alicePopup, 'bob', 'Hello alice, from bob');
    await scene.screenshotAll('friends');
  });
});
