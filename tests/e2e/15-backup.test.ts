import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBackup, restoreFromBackup } from './support/backup';
import type { ExtensionPage } from './support/extension-page';
import { request, signIn, waitForConnection } from './support/flows';
import { ensurePlace } from './support/places';
import { startFriendPair } from './support/friend-pair';
import { Scene } from './support/scene';
import { waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';

const PASSPHRASE = 'seven swans a-swimming';
type FeedPost = { id: string; author: string; seq: number; text: string | null };
type SocialState = { friends: { handle: string; safetyNumber: string }[]; problems: string[]; recovering?: boolean };

const wallOf = async (page: ExtensionPage, wall: string) => (await request(page, 'host:feed', { limit: 50, wall })) as FeedPost[];
const stateOf = async (page: ExtensionPage) => (await request(page, 'host:social-state')) as SocialState;

/**
 * Issue 13, e2e (1): alice exports a backup, her profile is deleted, a fresh profile restores it and signs in.
 * bob sees no key warning; alice's wall is intact (what she wrote after the backup comes back from bob's copy)
 * and her next post continues it. Chromium ↔ Chromium (Firefox imports in the side panel).
 */
describe('scenario 15 (issue 13): backup and restore', () => {
  const scene = new Scene('15-backup');
  const files = mkdtempSync(path.join(tmpdir(), 'peerwall-e2e-backup-'));
  let alice: TestUser;
  let bob: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;

  beforeAll(async () => {
    ({ alice, bob, alicePopup, bobPopup } = await startFriendPair(scene));
  }, 180_000);
  afterAll(async () => {
    await scene.dispose();
    rmSync(files, { recursive: true, force: true });
  });

  it('1. alice exports a backup, loses her profile, restores it on a fresh one; bob sees no key change and her wall continues', async () => {
    scene.screenshotOnFailure();
    await writePost(alicePopup, 'Before the backup');
    await waitForPost(bobPopup, 'alice', 'Before the backup', 30_000);
    const file = path.join(files, 'alice.pwbackup');
    const name = await exportBackup(alicePopup, PASSPHRASE, file);
    expect(name).toMatch(/^peerwall-alice-\d{4}-\d{2}-\d{2}\.pwbackup$/);
    await scene.screenshotAll('1-exported');
    await ensurePlace(alicePopup, 'Feed');
    await writePost(alicePopup, 'After the backup');
    await waitForPost(bobPopup, 'alice', 'After the backup', 30_000);
    const safetyBefore = (await stateOf(bobPopup)).friends.find((f) => f.handle === 'alice')?.safetyNumber;
    const before = await wallOf(bobPopup, 'alice');

    await alice.dispose(); // the profile is gone, extension data and all
    const fresh = await scene.addUser('alice', 'chromium');
    const freshPopup = await fresh.openPopup();
    expect(await restoreFromBackup(freshPopup, file, PASSPHRASE)).toContain('Restored @alice from your backup');
    await scene.screenshotAll('1-imported');
    await signIn(freshPopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await waitForConnection(freshPopup, 'Online');

    // Her wall comes back: the backup's post, and the one after it from bob's copy (recovery ends).
    await waitForPost(freshPopup, 'alice', 'Before the backup', 30_000);
    await waitForPost(freshPopup, 'alice', 'After the backup', 60_000);
    expect((await stateOf(freshPopup)).recovering).toBe(false);
    await scene.screenshotAll('1-restored');

    await writePost(freshPopup, 'Back after the restore');
    await waitForPost(bobPopup, 'alice', 'Back after the restore', 30_000);
    const after = await wallOf(bobPopup, 'alice');
    const head = Math.max(...before.map((p) => p.seq));
    expect(after.find((p) => p.text === 'Back after the restore')?.seq, 'the next post continues the wall').toBe(head + 1);

    const bobSees = await stateOf(bobPopup);
    expect(bobSees.problems, 'bob sees no key warning').toEqual([]);
    expect(bobSees.friends.find((f) => f.handle === 'alice')?.safetyNumber, 'the same key, so the same safety number').toBe(safetyBefore);
    expect(await bobPopup.visibleText()).not.toMatch(/different identity key/);
  }, 240_000);
});
