import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, showsSignInForm, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';

// Bob's browser is the one restarted: Chromium in the first pairing, Firefox in the second.
describe.each(PAIRINGS)('scenario 2: browser restart, %s ↔ %s', (aliceBrowser, bobBrowser) => {
  const scene = new Scene(`2-restart-browser-${aliceBrowser}-${bobBrowser}`);
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', aliceBrowser],
      ['bob', bobBrowser],
    ])) as [TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it(`relaunching ${bobBrowser} on the same profile brings it back Online without a new sign-in, connected to its friend`, async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);

    await bob.restart();

    const bobPopupAfter = await bob.openPopup();
    await waitForConnection(bobPopupAfter, 'Online', 45_000);
    await scene.screenshotAll('after-restart');
    expect(await bobPopupAfter.visibleText()).toContain('bob');
    expect(await showsSignInForm(bobPopupAfter)).toBe(false);

    // The relaunched peer host starts with no connections: alice shows Online there only once a new sync
    // connection is ready, and posts written after the restart cross it both ways.
    await waitForFriendPresence(bobPopupAfter, 'alice', 'Online', 45_000);
    await writePost(bobPopupAfter, 'bob is back after a restart');
    await waitForPost(alicePopup, 'bob', 'bob is back after a restart', 20_000);
    await writePost(alicePopup, 'Welcome back, bob');
    await waitForPost(bobPopupAfter, 'alice', 'Welcome back, bob', 20_000);
  });
});
