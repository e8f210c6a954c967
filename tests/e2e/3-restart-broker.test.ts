import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, probePeer, setContacts, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
import type { TestUser } from './support/test-user';

describe.each(PAIRINGS)('scenario 3: broker restart, %s ↔ %s', (aliceBrowser, bobBrowser) => {
  const scene = new Scene(`3-restart-broker-${aliceBrowser}-${bobBrowser}`);
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', aliceBrowser],
      ['bob', bobBrowser],
    ])) as [TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it('stopping the broker shows Offline or Connecting…; restarting it brings both users back Online', { timeout: 240_000 }, async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await setContacts(alicePopup, ['bob']);
    await setContacts(bobPopup, ['alice']);
    await probePeer(alicePopup, 'bob');

    await scene.broker.stop();

    await Promise.all([
      waitForConnection(alicePopup, ['Offline', 'Connecting…']),
      waitForConnection(bobPopup, ['Offline', 'Connecting…']),
    ]);
    await scene.screenshotAll('broker-stopped');

    await scene.broker.start(); // same port, same data dir

    // Reconnect backoff may have grown while the broker was down; allow a few rounds of it.
    await Promise.all([waitForConnection(alicePopup, 'Online', 90_000), waitForConnection(bobPopup, 'Online', 90_000)]);
    await scene.screenshotAll('broker-restarted');
    // The peer hosts told the new broker their contacts again, so they reach each other as before.
    expect(await probePeer(alicePopup, 'bob')).toBeGreaterThanOrEqual(0);
    expect(await probePeer(bobPopup, 'alice')).toBeGreaterThanOrEqual(0);
  });
});
