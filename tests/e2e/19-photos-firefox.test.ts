import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import type { FirefoxExtensionPage } from './support/firefox-page';
import { openSidebarWithoutGesture, readSidebar, type SidebarReading, waitForPageToClose } from './support/firefox-sidebar';
import { createAccount, waitForConnection } from './support/flows';
import { ensurePosts } from './support/places';
import { writeNoisePng } from './support/noise-png';
import { postPhoto, storedPhotoHashes, waitForPhoto } from './support/photos';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost } from './support/social';
import type { TestUser } from './support/test-user';
import { waitFor } from './support/wait';

const LAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lake.png');
const FROM_CHROMIUM = 'The lake from the north shore.';
const FROM_CHROMIUM_ALT = 'A still lake, hills behind it';
const FROM_FIREFOX = 'Same lake, my side of it.';
const FROM_FIREFOX_ALT = 'The lake seen from the south, under a blue sky';

/**
 * Issue 12 with a Firefox user: finn (Firefox) sees gwen's (Chromium) photo, thumbnail then the full image,
 * byte-identical to what gwen stored. Firefox closes its popup when a file picker opens (Mozilla bug
 * 1292701), so finn's popup offers **Add photos in the side panel** instead of **Add photos**; his click on it
 * opens Firefox's sidebar and closes the popup, and finn posts a photo from the side panel page that gwen
 * sees whole. finn's handle sorts first and he asks (as in scenario 7).
 */
describe('scenario 15 (issue 12): photos with a Firefox user', () => {
  const scene = new Scene('19-photos-firefox');
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
    await Promise.all([finnPopup, gwenPopup].map((popup) => waitForConnection(popup, 'Online')));
    await befriend(finnPopup, 'finn', gwenPopup, 'gwen');
    await Promise.all([waitForFriendPresence(finnPopup, 'gwen', 'Online'), waitForFriendPresence(gwenPopup, 'finn', 'Online')]);
  }, 180_000);
  afterAll(() => scene.dispose());

  it('1. gwen (Chromium) posts a photo; finn (Firefox) sees the thumbnail, then the full image, byte-identical', async () => {
    scene.screenshotOnFailure();
    await postPhoto(gwenPopup, FROM_CHROMIUM, LAKE, FROM_CHROMIUM_ALT);

    await waitForPost(finnPopup, 'gwen', FROM_CHROMIUM, 30_000);
    await waitForPhoto(finnPopup, FROM_CHROMIUM, FROM_CHROMIUM_ALT, 'thumbnail', 30_000);
    await waitForPhoto(finnPopup, FROM_CHROMIUM, FROM_CHROMIUM_ALT, 'full', 60_000);
    await scene.screenshotAll('1-photo-in-firefox');

    const gwens = await storedPhotoHashes(gwenPopup, 'gwen');
    expect(Object.keys(gwens)).toHaveLength(2);
    expect(await storedPhotoHashes(finnPopup, 'finn')).toEqual(gwens);
  }, 180_000);

  it('2. finn’s popup sends him to the side panel for photos: his click opens Firefox’s sidebar and closes the popup; from the side panel he posts one, which gwen sees whole', async () => {
    scene.screenshotOnFailure();
    await ensurePosts(finnPopup);
    expect(await finnPopup.hasButton('Add photos in the side panel')).toBe(true);
    expect(await finnPopup.visibleText()).toContain('Firefox closes this popup when a file picker opens');
    expect(await readSidebar(finnPopup)).toMatchObject({ open: false, pages: [] });
    // Firefox opens the sidebar only from a user gesture, so if finn's click opens it, the click was one.
    expect(await openSidebarWithoutGesture(finnPopup)).toBe('sidebarAction.open may only be called from a user input handler');

    await finnPopup.click('Add photos in the side panel');
    await waitForPageToClose(finnPopup as FirefoxExtensionPage, 10_000);
    // BiDi cannot drive the sidebar itself (it is no browsing context of BiDi's tree): finn reads it from, and
    // posts in, the same page opened as a tab.
    const sidePanel = await finn.openSidePanel();
    let seen: SidebarReading | undefined;
    const sidebar = await waitFor(
      async () => {
        seen = await readSidebar(sidePanel);
        return seen.statusTexts.includes('Online') && seen.offersAddPhotos ? seen : undefined;
      },
      { timeoutMs: 15_000, describe: () => `Firefox’s sidebar showing Peerwall Online with Add photos; read ${JSON.stringify(seen)}` },
    );
    expect(sidebar).toMatchObject({ open: true, panel: 'sidepanel.html', pages: ['sidepanel.html'] });

    const picture = path.join(scene.artifactsDir, 'from-firefox.png');
    writeNoisePng(picture, 320, 240);
    await waitForConnection(sidePanel, 'Online');
    await postPhoto(sidePanel, FROM_FIREFOX, picture, FROM_FIREFOX_ALT);
    await waitForPhoto(sidePanel, FROM_FIREFOX, FROM_FIREFOX_ALT, 'full', 20_000);

    await waitForPost(gwenPopup, 'finn', FROM_FIREFOX, 30_000);
    await waitForPhoto(gwenPopup, FROM_FIREFOX, FROM_FIREFOX_ALT, 'full', 60_000);
    await scene.screenshotAll('2-photo-from-firefox');
    const finns = await storedPhotoHashes(sidePanel, 'finn');
    const gwens = await storedPhotoHashes(gwenPopup, 'gwen');
    expect(Object.keys(finns)).toHaveLength(4);
    expect(gwens).toEqual(finns);
  }, 180_000);
});
