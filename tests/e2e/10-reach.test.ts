import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, waitForConnection } from './support/flows';
import { ensurePlace, goTo } from './support/places';
import { Scene } from './support/scene';
import {
  badgeAndNotifications,
  befriend,
  listItemOf,
  openWall,
  postsMatching,
  unfriend,
  waitForFriendPresence,
  waitForPost,
  writePost,
} from './support/social';
import type { TestUser } from './support/test-user';
import { sleep, waitFor } from './support/wait';

const WHILE_BOB_AWAY = 'Posted while bob was away: the lake froze over last night!';
const ON_ALICES_WALL = 'Happy birthday, alice! Written while you were offline.';
const AFTER_UNFRIENDING = 'Only for the friends I still have.';
/** `peerwall-<post id>-<wall>-<ms>` (platform/background/notifier.ts). */
const POST_NOTIFICATION = /^peerwall-([0-9a-f]{64})-[a-z0-9_]{1,15}-\d+$/;

/**
 * Issue 9: walls reach friends who are never online at the same time, through friends they share.
 * alice, bob and carol are friends of each other; dave is a friend of carol only. carol, the friend
 * who relays, runs Firefox; the others Chromium.
 */
describe('scenario 10 (issue 9): reach through mutual friends', () => {
  const scene = new Scene('10-reach');
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser; // Firefox
  let dave: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;
  let carolPopup: ExtensionPage;
  let davePopup: ExtensionPage;

  /** The Friends list text of a Chromium page's row for `@handle`. */
  const friendRow = async (page: ExtensionPage, handle: string): Promise<string> => {
    await ensurePlace(page, 'Friends');
    return listItemOf(page, handle, 'Friends').innerText({ timeout: 5_000 });
  };

  async function relaunch(user: TestUser): Promise<ExtensionPage> {
    await user.launch();
    const popup = await user.openPopup();
    await waitForConnection(popup, 'Online', 45_000);
    return popup;
  }

  beforeAll(async () => {
    [alice, bob, carol, dave] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
      ['carol', 'firefox'],
      ['dave', 'chromium'],
    ])) as [TestUser, TestUser, TestUser, TestUser];
    [alicePopup, bobPopup, carolPopup, davePopup] = (await Promise.all([alice, bob, carol, dave].map((u) => u.openPopup()))) as [
      ExtensionPage,
      ExtensionPage,
      ExtensionPage,
      ExtensionPage,
    ];
    for (const [popup, handle] of [[alicePopup, 'alice'], [bobPopup, 'bob'], [carolPopup, 'carol'], [davePopup, 'dave']] as const) {
      await createAccount(popup, { handle, brokerUrl: scene.broker.url });
    }
    await Promise.all([alicePopup, bobPopup, carolPopup, davePopup].map((p) => waitForConnection(p, 'Online')));
    // carol answers one request at a time (her Firefox page finds Accept by its name alone).
    await befriend(alicePopup, 'alice', carolPopup, 'carol');
    await befriend(bobPopup, 'bob', carolPopup, 'carol');
    await befriend(davePopup, 'dave', carolPopup, 'carol');
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    // Meeting once gives each friend a reader pass for the other's wall.
    await Promise.all([
      waitForFriendPresence(alicePopup, 'bob', 'Online'),
      waitForFriendPresence(alicePopup, 'carol', 'Online'),
      waitForFriendPresence(bobPopup, 'carol', 'Online'),
      waitForFriendPresence(davePopup, 'carol', 'Online'),
    ]);
    await sleep(2_000);
  }, 240_000);
  afterAll(() => scene.dispose());

  it('1. alice posts while bob is away and carol online; alice leaves; bob launches and gets it through carol, with a notification', async () => {
    scene.screenshotOnFailure();
    await bob.quit();
    await writePost(alicePopup, WHILE_BOB_AWAY);
    await waitForPost(carolPopup, 'alice', WHILE_BOB_AWAY, 20_000);
    await alice.quit();

    bobPopup = await relaunch(bob);
    await waitForPost(bobPopup, 'alice', WHILE_BOB_AWAY, 60_000);
    const [shown] = await postsMatching(bobPopup, 'alice', WHILE_BOB_AWAY);
    expect(shown!.text).toContain('via @carol');
    const notified = await waitFor(
      async () => {
        const { notifications } = await badgeAndNotifications(bob);
        return notifications.some((id) => POST_NOTIFICATION.test(id)) ? notifications : undefined;
      },
      { timeoutMs: 15_000, describe: () => 'bob got no notification for alice’s post' },
    );
    expect(notified.length).toBeGreaterThan(0);
    expect(await friendRow(bobPopup, 'alice')).toMatch(/Wall last brought up to date .*, via @carol\./);
    await scene.screenshotAll('1-relayed-post');
  });

  it('2. bob writes on alice’s wall while she is away; carol carries it; alice seals it; carol sees it', async () => {
    scene.screenshotOnFailure();
    await openWall(bobPopup, 'alice');
    await bobPopup.fill("Write on @alice's wall", ON_ALICES_WALL);
    await bobPopup.click('Post');
    await waitFor(async () => ((await bobPopup.visibleText()).includes('Will be delivered when @alice comes online.') ? true : undefined), {
      timeoutMs: 15_000,
      describe: () => 'bob’s popup does not say the post waits for alice',
    });
    // bob's open session with carol hands it over at once; give it a moment before bob leaves.
    await sleep(3_000);
    await bob.quit();

    alicePopup = await relaunch(alice);
    await waitForPost(alicePopup, 'bob', ON_ALICES_WALL, 60_000);
    await waitForPost(carolPopup, 'bob', ON_ALICES_WALL, 30_000);
    await scene.screenshotAll('2-carried-wall-post');
  });

  it('3. alice unfriends bob; carol hears of it; alice posts and leaves; bob meets carol and gets nothing new', async () => {
    scene.screenshotOnFailure();
    await waitForFriendPresence(alicePopup, 'carol', 'Online', 30_000);
    await unfriend(alicePopup, 'bob');
    await sleep(2_000); // carol's open session takes the revocation list now
    await writePost(alicePopup, AFTER_UNFRIENDING);
    await waitForPost(carolPopup, 'alice', AFTER_UNFRIENDING, 20_000);
    await alice.quit();

    bobPopup = await relaunch(bob);
    await waitForFriendPresence(bobPopup, 'carol', 'Online', 45_000);
    await sleep(5_000);
    expect(await postsMatching(bobPopup, 'alice', AFTER_UNFRIENDING)).toEqual([]);
  });

  it('4. dave, connected to carol, never receives anything of alice’s wall', async () => {
    scene.screenshotOnFailure();
    await waitForFriendPresence(davePopup, 'carol', 'Online', 30_000);
    await davePopup.close();
    davePopup = await dave.openPopup();
    await waitForFriendPresence(davePopup, 'carol', 'Online', 15_000);
    const friendsText = await davePopup.visibleText();
    await goTo(davePopup, 'Feed');
    await sleep(1_000); // the feed loads from the peer host
    const text = `${friendsText}\n${await davePopup.visibleText()}`;
    for (const post of [WHILE_BOB_AWAY, ON_ALICES_WALL, AFTER_UNFRIENDING]) expect(text).not.toContain(post);
    expect(text).not.toContain('@alice');
  });
});
