import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDataChannels, trackDataChannels } from './support/data-channels';
import { createAccount, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
import { befriend, recordSignalling, waitForFriendPresence, waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';

describe.each(PAIRINGS)('scenario 3: broker restart, %s ↔ %s', (aliceBrowser, bobBrowser) => {
  const scene = new Scene(`3-restart-broker-${aliceBrowser}-${bobBrowser}`);
  let alice: TestUser; // Chromium in every pairing: the test reads and cuts her peer host's connections
  let bob: TestUser;

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', aliceBrowser],
      ['bob', bobBrowser],
    ])) as [TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it('stopping the broker shows Offline or Connecting…; restarting it brings both users back Online and connected', { timeout: 240_000 }, async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await trackDataChannels(alice);
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
    await writePost(alicePopup, 'Before the broker restart');
    await waitForPost(bobPopup, 'alice', 'Before the broker restart');

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

    // A data connection may outlive the broker, so the test cuts the one left, as a network failure
    // would: the next post needs a new one, signalled through the restarted broker — which relays it
    // only if both peer hosts told it their friends again (it keeps allowlists in memory only).
    const framesAtAlice = await recordSignalling(alice);
    const survivors = await dropDataChannels(alice);
    await writePost(alicePopup, 'After the broker restart');
    await waitForPost(bobPopup, 'alice', 'After the broker restart', 30_000);
    await writePost(bobPopup, 'Got it after the restart');
    await waitForPost(alicePopup, 'bob', 'Got it after the restart', 20_000);
    const fromBob = (await framesAtAlice()).filter((frame) => frame.src === 'bob').map((frame) => frame.type);
    expect(fromBob, 'signalling frames from bob reaching alice after the broker restart').toContain('CANDIDATE');
    console.info(`data channels still open after the broker restart, cut by the test: ${survivors}; bob's frames since: ${fromBob.join(', ')}`);
  });
});
