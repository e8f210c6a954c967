import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, probePeer, setContacts, showsSignInForm, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
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

  it(`relaunching ${bobBrowser} on the same profile brings it back Online without a new sign-in`, async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await setContacts(alicePopup, ['bob']);

    await bob.restart();

    const bobPopupAfter = await bob.openPopup();
    await waitForConnection(bobPopupAfter, 'Online', 45_000);
    await scene.screenshotAll('after-restart');
    expect(await bobPopupAfter.visibleText()).toContain('bob');
    expect(await showsSignInForm(bobPopupAfter)).toBe(false);

    // The restarted peer is reachable again. (Contacts stand in for the friend list, which later issues
    // persist; until then the test hands them to the restarted peer host again.)
    await setContacts(bobPopupAfter, ['alice']);
    expect(await probePeer(alicePopup, 'bob')).toBeGreaterThanOrEqual(0);
  });
});
