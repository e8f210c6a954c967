import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumExtensionPage } from './support/chromium-page';
import { writeOnWall } from './support/conversation';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, PASSWORD, request, showsSignInForm, signIn, waitForConnection } from './support/flows';
import { ensurePlace } from './support/places';
import { Scene } from './support/scene';
import { addFriend, befriend, postsMatching, waitForFriendPresence, waitForPost, waitUntilFriends, writePost } from './support/social';
import type { TestUser } from './support/test-user';
import { waitFor } from './support/wait';

const OLD_POST = 'Written in my old browser, before it was lost.';
const WHILE_AWAY = 'Left on your wall while you were away: call me when you are back!';
const WARNING = '@bob’s identity key changed. This happens when they reinstalled without a backup — or when someone else is trying to be them.';
const SAFETY_NUMBER = /\d{5}(?: \d{5}){11}/;

const playwright = (page: ExtensionPage) => {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error(`${page.kind} ${page.file} is not a Chromium page.`);
  return page.page;
};

/** The safety number `page` shows for its friend `handle` (the peer host's friend list, as Friends shows it). */
async function safetyNumberOf(page: ExtensionPage, handle: string): Promise<string> {
  const state = (await request(page, 'host:social-state')) as { friends: { handle: string; safetyNumber: string }[] };
  const friend = state.friends.find((f) => f.handle === handle);
  if (!friend) throw new Error(`${page.file} lists no friend @${handle}`);
  return friend.safetyNumber;
}

/** Every IndexedDB database and everything in `storage.local` of the extension, read from one of its pages. */
async function storedByExtension(page: ExtensionPage): Promise<{ databases: string[]; storage: Record<string, unknown> }> {
  return playwright(page).evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: { storage: { local: { get(keys: null): Promise<Record<string, unknown>> } } } };
    return {
      databases: (await indexedDB.databases()).map((d) => d.name ?? '').sort(),
      storage: await chrome.storage.local.get(null),
    };
  });
}

/**
 * Issue 13, key changes and leaving: bob loses his browser without a backup, so a fresh profile signs in as
 * @bob with a new identity key. alice sees the warning with the new safety number, accepts it, and the post she
 * left on bob's wall while he was away reaches his new wall, re-signed for the new key. Then bob deletes his
 * account with "Erase this browser's Peerwall data", and nothing of @bob stays in his browser.
 */
describe('scenario 17 (issue 13): a friend’s key change, and leaving without a trace', () => {
  const scene = new Scene('17-key-change');
  let alice: TestUser;
  let oldBob: TestUser;
  let bob: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;
  let newSafetyNumber = '';

  beforeAll(async () => {
    [alice, oldBob] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
    ])) as [TestUser, TestUser];
    const oldBobPopup = await oldBob.openPopup();
    alicePopup = await alice.openPopup();
    await createAccount(alicePopup, { handle: 'alice', brokerUrl: scene.broker.url });
    await createAccount(oldBobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(oldBobPopup, 'Online')]);
    await befriend(alicePopup, 'alice', oldBobPopup, 'bob');
    await waitForFriendPresence(alicePopup, 'bob', 'Online');
    await writePost(oldBobPopup, OLD_POST);
    await waitForPost(alicePopup, 'bob', OLD_POST, 20_000);
  }, 180_000);
  afterAll(() => scene.dispose());

  it('1. bob’s browser is lost; alice writes on his wall meanwhile, and it waits for him', async () => {
    scene.screenshotOnFailure();
    await oldBob.dispose(); // the profile is gone with it: no backup, no key
    await waitForFriendPresence(alicePopup, 'bob', 'Offline', 45_000);
    await writeOnWall(alicePopup, 'bob', WHILE_AWAY);
    const [queued] = await postsMatching(alicePopup, 'alice', WHILE_AWAY);
    expect(queued?.text).toMatch(/Pending/);
  }, 120_000);

  it('2. a fresh profile signs in as @bob with a new key; alice sees the warning and the new safety number, and nothing syncs', async () => {
    scene.screenshotOnFailure();
    bob = await scene.addUser('bob', 'chromium');
    bobPopup = await bob.openPopup();
    await signIn(bobPopup, { handle: 'bob', brokerUrl: scene.broker.url });
    await waitForConnection(bobPopup, 'Online');
    await addFriend(bobPopup, 'alice'); // his new Peerwall knows nobody: he asks alice again

    await ensurePlace(alicePopup, 'Friends');
    const friends = playwright(alicePopup).getByRole('region', { name: 'Friends', exact: true });
    await friends.getByText(WARNING, { exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
    newSafetyNumber = (await friends.getByLabel('New safety number with @bob', { exact: true }).innerText()).trim();
    expect(newSafetyNumber).toMatch(SAFETY_NUMBER);
    expect(newSafetyNumber).not.toBe(await safetyNumberOf(alicePopup, 'bob')); // the pin is still the old key
    // Until alice accepts, bob's new Peerwall is not her friend and gets nothing.
    expect((await request(bobPopup, 'host:social-state')) as { friends: unknown[] }).toMatchObject({ friends: [] });
    expect(await postsMatching(bobPopup, 'alice', WHILE_AWAY)).toEqual([]);
  }, 120_000);

  it('3. alice accepts the new key after confirming; her queued post reaches bob’s new wall and the old wall is gone', async () => {
    scene.screenshotOnFailure();
    await alicePopup.click('Accept new key of @bob');
    const confirm = playwright(alicePopup).getByRole('alertdialog', { name: 'Accept @bob’s new key?', exact: true });
    await confirm.waitFor({ state: 'visible', timeout: 5_000 });
    await alicePopup.click('Yes, accept the new key');

    await waitUntilFriends(bobPopup, 'alice', 30_000);
    await waitForFriendPresence(alicePopup, 'bob', 'Online', 45_000);
    await waitForPost(bobPopup, 'alice', WHILE_AWAY, 30_000);
    // Both now see the number alice was shown to compare: bob's new key is the pin.
    expect(await safetyNumberOf(alicePopup, 'bob')).toBe(newSafetyNumber);
    expect(await safetyNumberOf(bobPopup, 'alice')).toBe(newSafetyNumber);
    await waitFor(
      async () => {
        const [mine] = await postsMatching(alicePopup, 'alice', WHILE_AWAY);
        return mine && !mine.text.includes('Pending') ? true : undefined;
      },
      { timeoutMs: 30_000, describe: () => `alice's post on bob's wall is still pending` },
    );
    expect(await postsMatching(alicePopup, 'bob', OLD_POST)).toEqual([]);
    expect(await playwright(alicePopup).getByText(WARNING, { exact: true }).count()).toBe(0);
  }, 150_000);

  it('4. bob deletes his account with “Erase this browser’s Peerwall data”: no database and no storage of @bob remain', async () => {
    scene.screenshotOnFailure();
    const before = await storedByExtension(bobPopup);
    expect(before.databases).toContain('peerwall-bob');

    await ensurePlace(bobPopup, 'Settings');
    await bobPopup.click('Delete account…');
    const erase = playwright(bobPopup).getByRole('checkbox', { name: 'Erase this browser’s Peerwall data', exact: true });
    expect(await erase.isChecked()).toBe(true);
    await bobPopup.fill('Confirm with your password', PASSWORD);
    await bobPopup.click('Delete my account');
    await waitFor(async () => ((await showsSignInForm(bobPopup)) ? true : undefined), {
      timeoutMs: 45_000,
      describe: () => 'bob’s popup does not show the sign-in form after deleting the account',
    });

    const after = await storedByExtension(bobPopup);
    expect(after.databases.filter((name) => name.startsWith('peerwall'))).toEqual([]);
    expect(Object.keys(after.storage).filter((key) => !key.endsWith('$') && key !== 'unseen')).toEqual([]);
    expect(JSON.stringify(after.storage)).not.toMatch(/bob/);
    await waitForFriendPresence(alicePopup, 'bob', 'Deleted their account', 45_000);
  }, 120_000);
});
