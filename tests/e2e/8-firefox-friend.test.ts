import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, waitForConnection } from './support/flows';
import { ensurePlace, goTo } from './support/places';
import { Scene } from './support/scene';
import {
  addFriend,
  clickFor,
  listsFriend,
  screenshotRegion,
  unfriend,
  waitForFriendPresence,
  waitForPost,
  waitForRequest,
  waitUntilFriends,
  writePost,
} from './support/social';
import { waitFor } from './support/wait';
import type { TestUser } from './support/test-user';

const FROM_FIREFOX = 'Anyone up for a hike on Saturday? The weather looks perfect.';
const FROM_CHROMIUM = 'Count me in! I will bring coffee for everyone.';

describe('scenario 7 (issue 5): a Firefox user and a Chromium user', () => {
  const scene = new Scene('8-firefox-friend');
  // finn (Firefox) asks gwen (Chromium). finn's handle sorts first, so he dials only once gwen's acceptance
  // reached him; the opposite order meets the race scenario 6's first part shows (bob and carol).
  let finn: TestUser; // Firefox
  let gwen: TestUser; // Chromium
  let finnPopup: ExtensionPage;
  let gwenPopup: ExtensionPage;

  beforeAll(async () => {
    [finn, gwen] = (await scene.start([
      ['finn', 'firefox'],
      ['gwen', 'chromium'],
    ])) as [TestUser, TestUser];
    [finnPopup, gwenPopup] = await Promise.all([finn.openPopup(), gwen.openPopup()]);
    await createAccount(finnPopup, { handle: 'finn', brokerUrl: scene.broker.url });
    await createAccount(gwenPopup, { handle: 'gwen', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(finnPopup, 'Online'), waitForConnection(gwenPopup, 'Online')]);
  });
  afterAll(() => scene.dispose());

  it('the Firefox user befriends the Chromium user', async () => {
    scene.screenshotOnFailure();
    await addFriend(finnPopup, 'gwen');
    await waitForRequest(gwenPopup, 'finn');
    await clickFor(gwenPopup, 'finn', 'Accept', 'Friend requests');
    await Promise.all([waitUntilFriends(gwenPopup, 'finn'), waitUntilFriends(finnPopup, 'gwen')]);
  });

  it('they exchange posts both ways', async () => {
    scene.screenshotOnFailure();
    await writePost(finnPopup, FROM_FIREFOX);
    await waitForPost(gwenPopup, 'finn', FROM_FIREFOX, 30_000);
    await writePost(gwenPopup, FROM_CHROMIUM);
    await waitForPost(finnPopup, 'gwen', FROM_CHROMIUM, 30_000);
    await scene.screenshotAll('posts-exchanged');
    // For the README: gwen's popup (Online, a friend, posts both ways), her feed and her friend list.
    await waitForFriendPresence(gwenPopup, 'finn', 'Online', 15_000);
    await goTo(gwenPopup, 'Feed');
    await screenshotRegion(gwenPopup, path.join(scene.artifactsDir, 'readme-popup.png'));
    await screenshotRegion(gwenPopup, path.join(scene.artifactsDir, 'readme-feed.png'), 'Posts');
    await screenshotRegion(gwenPopup, path.join(scene.artifactsDir, 'readme-friends.png'), 'Friends');
  });

  it('the Firefox user unfriends after confirming; the other side sees a quiet notice and can dismiss it', async () => {
    scene.screenshotOnFailure();
    await unfriend(finnPopup, 'gwen');
    await waitFor(async () => ((await listsFriend(finnPopup, 'gwen')) ? undefined : true), {
      timeoutMs: 10_000,
      describe: () => 'finn still lists gwen after confirming Unfriend',
    });
    await ensurePlace(gwenPopup, 'Friends');
    await waitFor(async () => ((await gwenPopup.visibleText()).includes('@finn removed you from their friends.') ? true : undefined), {
      timeoutMs: 15_000,
      describe: () => 'gwen’s friend list does not say that @finn removed her',
    });
    await gwenPopup.click('Dismiss: @finn removed you');
    await waitFor(async () => ((await gwenPopup.visibleText()).includes('removed you') ? undefined : true), {
      timeoutMs: 10_000,
      describe: () => 'the notice stays after Dismiss',
    });
  });
});
