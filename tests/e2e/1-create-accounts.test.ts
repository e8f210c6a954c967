import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, probePeer, setContacts, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
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

  it('two new users create accounts from the popup, both show Online, and a data connection works', async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);

    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await scene.screenshotAll('online');

    expect(await alicePopup.visibleText()).toContain('alice');
    expect(await bobPopup.visibleText()).toContain('bob');
    expect(await alicePopup.hasButton('Sign out')).toBe(true);

    await setContacts(alicePopup, ['bob']);
    await setContacts(bobPopup, ['alice']);
    expect(await probePeer(alicePopup, 'bob')).toBeGreaterThanOrEqual(0);
    expect(await probePeer(bobPopup, 'alice')).toBeGreaterThanOrEqual(0);
  });
});
