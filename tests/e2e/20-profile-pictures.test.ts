import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { chooseProfilePicture, ownPicture, waitForAvatar } from './support/profile-pictures';
import { startFriendPair } from './support/friend-pair';
import { Scene } from './support/scene';
import { waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';

const LAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lake.png');
const ALICE_POST = 'New picture, same me.';
const BOB_POST = 'No picture here, just words.';

/**
 * Issue 12: alice chooses a profile picture; it appears beside her posts on bob's feed — the very thumbnail
 * alice stored, read from bob's IndexedDB —, and bob, who has none, shows as initials. Chromium ↔ Chromium.
 */
describe('scenario 14 (issue 12): profile pictures', () => {
  const scene = new Scene('20-profile-pictures');
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;

  beforeAll(async () => {
    ({ alice, bob, alicePopup, bobPopup } = await startFriendPair(scene));
  }, 180_000);
  afterAll(() => scene.dispose());

  it('1. alice’s profile picture appears beside her post on bob’s feed, byte for byte the thumbnail she stored', async () => {
    scene.screenshotOnFailure();
    await chooseProfilePicture(alicePopup, LAKE);
    await scene.screenshotAll('0-settings');
    const picture = await ownPicture(alicePopup, 'alice');
    expect(picture, 'alice published a picture').not.toBeNull();
    await writePost(alicePopup, ALICE_POST);
    expect(await waitForAvatar(alicePopup, ALICE_POST, 'picture', 10_000)).toMatchObject({ sha256: picture!.thumbnail });

    await waitForPost(bobPopup, 'alice', ALICE_POST, 30_000);
    const seen = await waitForAvatar(bobPopup, ALICE_POST, 'picture', 60_000);
    await scene.screenshotAll('1-profile-picture');

    // The file's name is its SHA-256: bob's page shows exactly the thumbnail alice's profile names.
    expect(seen).toMatchObject({ kind: 'picture', sha256: picture!.thumbnail });
    expect((seen as { width: number }).width).toBeLessThanOrEqual(128);
  }, 180_000);

  it('2. bob, who has no picture, shows as his initials beside his post on alice’s feed', async () => {
    scene.screenshotOnFailure();
    await writePost(bobPopup, BOB_POST);
    await waitForPost(alicePopup, 'bob', BOB_POST, 30_000);

    const seen = await waitForAvatar(alicePopup, BOB_POST, 'initials', 10_000);
    expect(seen).toMatchObject({ kind: 'initials', text: 'B' });
  }, 120_000);
});
