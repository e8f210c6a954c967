import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, waitForConnection } from './support/flows';
import { photoSize, postPhoto, storedPhotoHashes, viewLarge, waitForPhoto } from './support/photos';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost } from './support/social';
import type { TestUser } from './support/test-user';

const LAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lake.png');
const TEXT = 'The lake this morning, before anyone else was up.';
const ALT = 'A still lake under a blue sky, hills along the far shore';

/**
 * Issue 12: alice posts a photo; bob sees its thumbnail, then the full image, byte for byte what alice
 * stored; its alt text is the image's accessible name. Chromium ↔ Chromium (Firefox picks photos in the
 * side panel, not yet here).
 */
describe('scenario 14 (issue 12): photos', () => {
  const scene = new Scene('14-photos');
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
    ])) as [TestUser, TestUser];
    [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    for (const [user, popup] of [[alice, alicePopup], [bob, bobPopup]] as const) {
      await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
    }
    await Promise.all([alicePopup, bobPopup].map((popup) => waitForConnection(popup, 'Online')));
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
  }, 180_000);
  afterAll(() => scene.dispose());

  it('1. alice posts a photo; bob sees the thumbnail, then the full image, byte-identical to alice’s, named by its alt text', async () => {
    scene.screenshotOnFailure();
    await postPhoto(alicePopup, TEXT, LAKE, ALT);
    await waitForPhoto(alicePopup, TEXT, ALT, 'full', 10_000);

    await waitForPost(bobPopup, 'alice', TEXT, 30_000);
    await waitForPhoto(bobPopup, TEXT, ALT, 'thumbnail', 30_000);
    await waitForPhoto(bobPopup, TEXT, ALT, 'full', 60_000);
    await scene.screenshotAll('1-photo');

    // The fixture is 640 × 420: re-encoded, never enlarged.
    expect(await photoSize(bobPopup, TEXT, ALT)).toEqual({ width: 640, height: 420 });
    const alices = await storedPhotoHashes(alicePopup, 'alice');
    const bobs = await storedPhotoHashes(bobPopup, 'bob');
    expect(Object.keys(alices), 'alice holds the full image and its thumbnail').toHaveLength(2);
    for (const [name, hash] of Object.entries(alices)) expect(hash, `alice's file ${name} hashes to its name`).toBe(name);
    expect(bobs).toEqual(alices);
  }, 180_000);

  it('2. bob opens the photo large with Enter and closes it with Escape', async () => {
    scene.screenshotOnFailure();
    expect(await viewLarge(bobPopup, TEXT, ALT)).toEqual({ shown: true, closed: true });
  });
});
