import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { waitForConnection } from './support/flows';
import { writeNoisePng } from './support/noise-png';
import { photoSize, postPhoto, storedPhotoHashes, viewLarge, waitForPhoto, waitForPhotoProgress, waitForPhotoWaiting } from './support/photos';
import { startFriendPair } from './support/friend-pair';
import { Scene } from './support/scene';
import { slowUdp } from './support/slow-udp';
import { waitForPost } from './support/social';
import type { TestUser } from './support/test-user';

const LAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lake.png');
const TEXT = 'The lake this morning, before anyone else was up.';
const ALT = 'A still lake under a blue sky, hills along the far shore';
const BIG_TEXT = 'Static on the old television, full size.';
const BIG_ALT = 'Grey static filling a whole screen';

/**
 * Issue 12: alice posts a photo; bob sees its thumbnail, then the full image, byte for byte what alice
 * stored; its alt text is the image's accessible name. A large photo whose holder's browser closes half-way
 * reaches bob once she is back. Chromium ↔ Chromium (Firefox: scenario 15).
 */
describe('scenario 14 (issue 12): photos', () => {
  const scene = new Scene('14-photos');
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;

  beforeAll(async () => {
    ({ alice, bob, alicePopup, bobPopup } = await startFriendPair(scene));
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

  it('3. alice’s browser closes while bob fetches a large photo: bob sees its progress, then that it waits for alice, then the whole image once she is back', async () => {
    scene.screenshotOnFailure();
    const noise = path.join(scene.artifactsDir, 'noise.png');
    writeNoisePng(noise, 2048, 1536); // several megabytes as JPEG: dozens of chunks
    // Data channels slowed to 1 Mbit/s: the thumbnail (one chunk) arrives in a moment, the full image in
    // half a minute or more, so alice's browser closes while bob holds only part of it.
    let lift: (() => void) | null = slowUdp('1mbit');
    try {
      await postPhoto(alicePopup, BIG_TEXT, noise, BIG_ALT);
      await waitForPhoto(alicePopup, BIG_TEXT, BIG_ALT, 'full', 20_000);
      const alices = await storedPhotoHashes(alicePopup, 'alice');

      await waitForPhoto(bobPopup, BIG_TEXT, BIG_ALT, 'thumbnail', 60_000);
      expect(await waitForPhotoProgress(bobPopup, BIG_TEXT, 30_000)).toBeLessThan(100);
      await alice.quit();
      await waitForPhotoWaiting(bobPopup, BIG_TEXT, 'alice', 60_000);
      await scene.screenshotAll('3-waiting-for-alice');
      const partial = await storedPhotoHashes(bobPopup, 'bob');
      expect(Object.keys(alices).filter((name) => !(name in partial)), 'bob lacks exactly the full image').toHaveLength(1);
      lift();
      lift = null;

      await alice.launch();
      alicePopup = await alice.openPopup();
      await waitForConnection(alicePopup, 'Online', 45_000);
      await waitForPhoto(bobPopup, BIG_TEXT, BIG_ALT, 'full', 90_000);
      expect(await storedPhotoHashes(bobPopup, 'bob')).toEqual(alices);
      for (const [name, hash] of Object.entries(await storedPhotoHashes(bobPopup, 'bob'))) expect(hash, `bob's file ${name} hashes to its name`).toBe(name);
    } finally {
      lift?.();
    }
  }, 300_000);
});
