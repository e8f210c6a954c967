import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumExtensionPage } from './support/chromium-page';
import { commentOn, waitForComment } from './support/conversation';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, request, signIn, waitForConnection } from './support/flows';
import { ensurePlace, ensurePosts } from './support/places';
import { Scene } from './support/scene';
import { befriend, waitForFriendPresence, waitForPost, writePost } from './support/social';
import type { TestUser } from './support/test-user';
import { waitFor } from './support/wait';

const OLD_POSTS = ['Carol’s first post, from the old browser.', 'Carol’s second post: the lake was cold.', 'Carol’s third post, the last before the loss.'];
const ALICES_COMMENT = 'Alice was here before carol lost her browser.';
const OFFER = 'Lost your browser without a backup?';
const AFTER = 'Carol is back: this post continues her wall.';
const RECOVERY_ASK = '@carol says they lost their key and asks you to restore their wall — or someone else is trying to be them.';
const KEY_WARNING = /identity key changed|lost their key|different identity key/;
const SAFETY_NUMBER = /\d{5}(?: \d{5}){11}/;

type FriendState = { handle: string; safetyNumber: string; keyChange: unknown };
type SocialState = {
  friends: FriendState[];
  problems: string[];
  recovering?: boolean;
  recoveryWaitsFor?: string[];
  mayRecoverFromFriends?: true;
};
/** One entry of a wall as the content database holds it (`entries`, keyed by wall and seq). */
type WallEntry = { seq: number; kind: string };

const stateOf = async (page: ExtensionPage) => (await request(page, 'host:social-state')) as SocialState;

const playwright = (page: ExtensionPage) => {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error(`${page.kind} ${page.file} is not a Chromium page.`);
  return page.page;
};

/** The entries of `wall` in `owner`'s content database (`peerwall-<owner>`), read from one of its pages. */
function wallInDb(page: ExtensionPage, owner: string, wall: string): Promise<WallEntry[]> {
  return playwright(page).evaluate(
    async ({ name, wall }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        const range = IDBKeyRange.bound([wall, 0], [wall, Number.MAX_SAFE_INTEGER]);
        const rows = await new Promise<{ seq: number; header: { kind: string } }[]>((resolve, reject) => {
          const read = db.transaction('entries').objectStore('entries').getAll(range);
          read.onsuccess = () => resolve(read.result as never);
          read.onerror = () => reject(read.error);
        });
        return rows.map((row) => ({ seq: row.seq, kind: row.header.kind }));
      } finally {
        db.close();
      }
    },
    { name: `peerwall-${owner}`, wall },
  );
}

const headOf = (entries: WallEntry[]) => Math.max(0, ...entries.map((e) => e.seq));

/** Confirms in `page`'s Friends that the one asking to restore @carol's wall is carol; returns the safety number shown. */
async function confirmItIsCarol(page: ExtensionPage): Promise<string> {
  await ensurePlace(page, 'Friends');
  const friends = playwright(page).getByRole('region', { name: 'Friends', exact: true });
  await friends.getByText(RECOVERY_ASK, { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
  const shown = (await friends.getByLabel('New safety number with @carol', { exact: true }).innerText()).trim();
  await page.click('Confirm it’s @carol');
  const confirm = playwright(page).getByRole('alertdialog', { name: 'Accept @carol’s new key?', exact: true });
  await confirm.waitFor({ state: 'visible', timeout: 5_000 });
  await page.click('Yes, accept the new key');
  await friends.getByText(RECOVERY_ASK, { exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
  return shown;
}

/**
 * Issue 13, e2e (2): carol, a friend of alice and of bob (who are not friends), loses her browser without a
 * backup. A fresh profile signs in as @carol and uses **Recover from friends** naming both; each sees her request
 * with the new safety number and confirms it. Her old posts (and alice's comment) come back, a recovery entry
 * continues her wall under the new key, and her next post follows it and reaches both, with no key warning left.
 */
describe('scenario 21 (issue 13): recover from friends without a backup', () => {
  const scene = new Scene('21-recover-from-friends');
  let alice: TestUser;
  let bob: TestUser;
  let oldCarol: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;
  let carolPopup: ExtensionPage;
  let oldHead = 0;

  beforeAll(async () => {
    [alice, bob, oldCarol] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
      ['carol', 'chromium'],
    ])) as [TestUser, TestUser, TestUser];
    [alicePopup, bobPopup] = await Promise.all([alice.openPopup(), bob.openPopup()]);
    const oldCarolPopup = await oldCarol.openPopup();
    for (const [user, popup] of [[alice, alicePopup], [bob, bobPopup], [oldCarol, oldCarolPopup]] as const) {
      await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
    }
    await Promise.all([alicePopup, bobPopup, oldCarolPopup].map((popup) => waitForConnection(popup, 'Online')));
    // A new account has no lost wall: Recover from friends is not offered after Create account.
    await ensurePosts(oldCarolPopup);
    expect((await stateOf(oldCarolPopup)).mayRecoverFromFriends).toBeUndefined();
    expect(await oldCarolPopup.visibleText()).not.toContain(OFFER);
    await befriend(oldCarolPopup, 'carol', alicePopup, 'alice');
    await befriend(oldCarolPopup, 'carol', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'carol', 'Online'), waitForFriendPresence(bobPopup, 'carol', 'Online')]);
    await ensurePosts(oldCarolPopup);
    for (const text of OLD_POSTS) await writePost(oldCarolPopup, text);
    await waitForPost(alicePopup, 'carol', OLD_POSTS[0]!, 30_000);
    await commentOn(alicePopup, OLD_POSTS[0]!, ALICES_COMMENT);
    // Both hold her whole wall, alice's comment (sealed by carol) included.
    await waitForComment(oldCarolPopup, OLD_POSTS[0]!, ALICES_COMMENT, 30_000);
    for (const text of OLD_POSTS) await waitForPost(bobPopup, 'carol', text, 30_000);
    await waitForComment(bobPopup, OLD_POSTS[0]!, ALICES_COMMENT, 30_000);
    oldHead = headOf(await wallInDb(oldCarolPopup, 'carol', 'carol'));
    await waitFor(
      async () => {
        const heads = await Promise.all([wallInDb(alicePopup, 'alice', 'carol'), wallInDb(bobPopup, 'bob', 'carol')].map(async (e) => headOf(await e)));
        return heads.every((h) => h === oldHead) ? true : undefined;
      },
      { timeoutMs: 30_000, describe: () => `alice and bob do not both hold carol's wall up to ${oldHead}` },
    );
  }, 240_000);
  afterAll(() => scene.dispose());

  it('1. carol loses her profile, signs in on a fresh one and asks alice and bob to restore her wall', async () => {
    scene.screenshotOnFailure();
    expect(oldHead, 'three posts and a comment at least').toBeGreaterThanOrEqual(4);
    await oldCarol.dispose(); // the profile is gone with it: no backup, no key
    await Promise.all([waitForFriendPresence(alicePopup, 'carol', 'Offline', 45_000), waitForFriendPresence(bobPopup, 'carol', 'Offline', 45_000)]);

    const carol = await scene.addUser('carol', 'chromium');
    carolPopup = await carol.openPopup();
    await signIn(carolPopup, { handle: 'carol', brokerUrl: scene.broker.url });
    await waitForConnection(carolPopup, 'Online');
    expect((await stateOf(carolPopup)).mayRecoverFromFriends, 'a sign-in that made a new key').toBe(true);
    await ensurePosts(carolPopup);
    await carolPopup.openDetails(OFFER);
    await carolPopup.fill('Friends who had your wall', '@alice @bob');
    await carolPopup.click('Recover from friends');
    const notice = playwright(carolPopup).getByRole('complementary', { name: 'Restoring your wall', exact: true });
    await notice.getByText('Waiting for @alice or @bob to confirm your new key.').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await carolPopup.hasButton('Skip')).toBe(true);
    expect((await stateOf(carolPopup)).recoveryWaitsFor).toEqual(['alice', 'bob']);
    await scene.screenshotAll('1-asked');
  }, 120_000);

  it('2. alice and bob each see the request with the new safety number and confirm it; her old wall is back', async () => {
    scene.screenshotOnFailure();
    const aliceSaw = await confirmItIsCarol(alicePopup);
    expect(aliceSaw).toMatch(SAFETY_NUMBER);
    await scene.screenshotAll('2-alice-confirmed');
    const bobSaw = await confirmItIsCarol(bobPopup);
    expect(bobSaw).toMatch(SAFETY_NUMBER);

    for (const text of OLD_POSTS) await waitForPost(carolPopup, 'carol', text, 60_000);
    await waitForComment(carolPopup, OLD_POSTS[0]!, ALICES_COMMENT, 30_000);
    await waitFor(async () => ((await stateOf(carolPopup)).recovering === false ? true : undefined), {
      timeoutMs: 30_000,
      describe: () => 'carol is still recovering',
    });
    const carolSees = await stateOf(carolPopup);
    expect(carolSees.recoveryWaitsFor).toBeUndefined();
    // The pins agree both ways: each side shows the number alice and bob compared.
    expect(carolSees.friends.find((f) => f.handle === 'alice')?.safetyNumber).toBe(aliceSaw);
    expect(carolSees.friends.find((f) => f.handle === 'bob')?.safetyNumber).toBe(bobSaw);
    expect((await stateOf(alicePopup)).friends.find((f) => f.handle === 'carol')?.safetyNumber).toBe(aliceSaw);

    // Her content database: the old wall, then the recovery entry signed under the new key.
    const entries = await wallInDb(carolPopup, 'carol', 'carol');
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: oldHead + 1 }, (_, i) => i + 1));
    expect(entries.at(-1)?.kind).toBe('rotate');
    await scene.screenshotAll('2-restored');
  }, 180_000);

  it('3. her next post continues the wall and reaches alice and bob, who show no key warning', async () => {
    scene.screenshotOnFailure();
    await Promise.all([waitForFriendPresence(carolPopup, 'alice', 'Online', 45_000), waitForFriendPresence(carolPopup, 'bob', 'Online', 45_000)]);
    await writePost(carolPopup, AFTER);
    const entries = await wallInDb(carolPopup, 'carol', 'carol');
    expect(headOf(entries), 'old head, the recovery entry, then the post').toBe(oldHead + 2);
    await waitForPost(alicePopup, 'carol', AFTER, 30_000);
    await waitForPost(bobPopup, 'carol', AFTER, 30_000);
    for (const [page, owner] of [[alicePopup, 'alice'], [bobPopup, 'bob']] as const) {
      expect(headOf(await wallInDb(page, owner, 'carol')), `${owner} holds carol's wall up to the new post`).toBe(oldHead + 2);
      const state = await stateOf(page);
      expect(state.problems, `${owner} sees no problem`).toEqual([]);
      expect(state.friends.find((f) => f.handle === 'carol')?.keyChange, `${owner} has no key change of carol waiting`).toBeNull();
      await ensurePlace(page, 'Friends');
      expect(await page.visibleText()).not.toMatch(KEY_WARNING);
    }
    await scene.screenshotAll('3-continued');
  }, 120_000);
});
