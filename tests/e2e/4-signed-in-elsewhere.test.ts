import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, expectConnectionStays, signIn, waitForConnection } from './support/flows';
import { PAIRINGS } from './support/pairings';
import { Scene } from './support/scene';
import type { TestUser } from './support/test-user';

// The first profile is the second browser of the pairing (Firefox in the mixed one), so both peer hosts
// get to be the one that is replaced.
describe.each(PAIRINGS)('scenario 4: second sign-in, new device %s, first device %s', (laterBrowser, firstBrowser) => {
  const scene = new Scene(`4-signed-in-elsewhere-${laterBrowser}-${firstBrowser}`);
  let firstDevice: TestUser;
  let laterDevice: TestUser;

  beforeAll(async () => {
    [firstDevice, laterDevice] = (await scene.start([
      ['alice-first', firstBrowser],
      ['alice-later', laterBrowser],
    ])) as [TestUser, TestUser];
  });
  afterAll(() => scene.dispose());

  it('signing in as the same handle in a second profile turns the first to Signed in elsewhere, and it stays so', async () => {
    scene.screenshotOnFailure();
    const firstPopup = await firstDevice.openPopup();
    await createAccount(firstPopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await waitForConnection(firstPopup, 'Online');

    const laterPopup = await laterDevice.openPopup();
    await signIn(laterPopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await waitForConnection(laterPopup, 'Online');
    await waitForConnection(firstPopup, 'Signed in elsewhere');
    await scene.screenshotAll('replaced');

    // Neither device fights for the handle: both keep their state, through any reconnect attempts.
    await Promise.all([
      expectConnectionStays(firstPopup, 'Signed in elsewhere', 25_000),
      expectConnectionStays(laterPopup, 'Online', 25_000),
    ]);
    await firstPopup.close();
    const firstPopupReopened = await firstDevice.openPopup();
    await waitForConnection(firstPopupReopened, 'Signed in elsewhere', 10_000);
    expect(await laterPopup.statusTexts()).toContain('Online');
    await scene.screenshotAll('still-replaced');
  });
});
