import path from 'node:path';
import type { Dialog } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerSocket, createAccountOverApi } from './support/broker-socket';
import type { ChromiumExtensionPage } from './support/chromium-page';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, request, showsSignInForm, waitForConnection } from './support/flows';
import { ensurePlace } from './support/places';
import { Scene } from './support/scene';
import {
  addFriend,
  badgeAndNotifications,
  block,
  clickFor,
  listItemOf,
  listsFriend,
  postsMatching,
  recordSignalling,
  screenshotRegion,
  shownPosts,
  unfriend,
  waitForFriendPresence,
  waitForPost,
  waitForRequest,
  waitUntilFriends,
  writePost,
} from './support/social';
import type { TestUser } from './support/test-user';
import { sleep, waitFor } from './support/wait';

/** A friend's post reaches an open popup within this long ("within a few seconds", issue 5). */
const LIVE_POST_MS = 5_000;
/** `peerwall-<post id>-<wall>-<ms>` (platform/background/notifier.ts). */
const POST_NOTIFICATION = /^peerwall-([0-9a-f]{64})-[a-z0-9_]{1,15}-\d+$/;
const playwrightOf = (page: ExtensionPage) => (page as ChromiumExtensionPage).page;

/**
 * Issue 5's Chromium scenarios 1–6 in one scene of three users, in the order they build on each other:
 * befriending (1) comes first, posting (2) and hostile text (5) need friends, the offline ones (3, 4)
 * close and relaunch browsers, and blocking (6) needs a third person who wants something from bob.
 */
describe('friends, walls and sync in Chromium (alice, bob, carol)', () => {
  const scene = new Scene('7-friends');
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage;
  let carolPopup: ExtensionPage;
  const dialogs: string[] = [];
  const noteDialog = (who: string) => (dialog: Dialog) => {
    dialogs.push(`${who}: ${dialog.type()} ${JSON.stringify(dialog.message())}`);
    void dialog.dismiss().catch(() => undefined);
  };

  const unseenCount = async (): Promise<number> => Number((await badgeAndNotifications(bob)).badge || '0');

  /** Frames reach a peer host and its answer comes back within this long on the loopback broker. */
  const ANSWER_WINDOW_MS = 3_000;
  let witnessAccount: Promise<void> | undefined;

  /**
   * `handle` signs in over the broker's HTTP API and, from a bare PeerJS socket that allows `target` to
   * signal back, offers `target` a data connection: an OFFER, then an ICE candidate. walter, who allows
   * `handle`, gets the same two frames right after; once he has them the broker has dealt with those to
   * `target`, and `check` runs when `target`'s peer host would have had them and answered.
   */
  async function offerFromOwnClient(
    handle: string,
    target: string,
    check: (socket: BrokerSocket) => Promise<void>,
    options: { newAccount?: boolean } = {},
  ): Promise<void> {
    witnessAccount ??= createAccountOverApi(scene.broker.url, 'walter');
    await witnessAccount;
    const socket = await BrokerSocket.signIn(scene.broker.url, handle, { create: options.newAccount });
    const witness = await BrokerSocket.signIn(scene.broker.url, 'walter');
    try {
      witness.allow([handle]);
      socket.allow([target, 'walter']);
      // Mutual with walter only: the broker reports him online to her, and nobody else.
      await socket.waitForFrame(
        (frame) => frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload).includes('"walter"'),
        'presence of walter',
      );
      socket.offerTo(target);
      socket.offerTo('walter');
      await witness.waitForFrame((frame) => frame.type === 'CANDIDATE' && frame.src === handle, `a CANDIDATE from @${handle}`);
      expect(witness.received.filter((frame) => frame.src === handle).map((frame) => frame.type)).toEqual(['OFFER', 'CANDIDATE']);
      await sleep(ANSWER_WINDOW_MS);
      await check(socket);
    } finally {
      await Promise.all([socket.close(), witness.close()]);
    }
  }

  beforeAll(async () => {
    [alice, bob, carol] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
      ['carol', 'chromium'],
    ])) as [TestUser, TestUser, TestUser];
    [alicePopup, bobPopup, carolPopup] = await Promise.all([alice.openPopup(), bob.openPopup(), carol.openPopup()]);
    for (const [user, popup] of [[alice, alicePopup], [bob, bobPopup], [carol, carolPopup]] as const) {
      await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
    }
    await Promise.all([alicePopup, bobPopup, carolPopup].map((popup) => waitForConnection(popup, 'Online')));
  });
  afterAll(() => scene.dispose());

  it('scenario 1: alice adds bob, bob accepts, each lists the other; a stranger’s signalling never reaches alice, nor hers the stranger', async () => {
    scene.screenshotOnFailure();
    // Every signalling frame either peer host receives from here on is recorded.
    const [framesAtAlice, framesAtBob] = await Promise.all([recordSignalling(alice), recordSignalling(bob)]);
    await addFriend(alicePopup, 'bob');
    const requestArrivedMs = await waitForRequest(bobPopup, 'alice');
    await scene.screenshotAll('friend-request');
    await clickFor(bobPopup, 'alice', 'Accept', 'Friend requests');
    await waitUntilFriends(alicePopup, 'bob');
    await waitUntilFriends(bobPopup, 'alice');
    console.info(`bob saw alice's request after ${requestArrivedMs} ms`);

    // Their sync connection is signalled through the broker, and the recorders see its offer, answer and
    // ICE candidates: they would see a stranger's frames just as well.
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
    const betweenFriends = [
      ...(await framesAtAlice()).filter((frame) => frame.src === 'bob'),
      ...(await framesAtBob()).filter((frame) => frame.src === 'alice'),
    ].map((frame) => frame.type);
    expect(betweenFriends).toEqual(expect.arrayContaining(['OFFER', 'ANSWER', 'CANDIDATE']));

    // Connection details show the real WebRTC states of that connection, with nobody's addresses, and copy.
    const bobItem = listItemOf(alicePopup, 'bob', 'Friends');
    await bobItem.getByText('Connection details', { exact: true }).click();
    const details = bobItem.getByLabel('Connection details for @bob', { exact: true });
    await details.waitFor({ state: 'visible', timeout: 5_000 });
    const report = await details.innerText();
    console.info(report);
    expect(report).toMatch(/ice: connected/);
    expect(report).toMatch(/connection: connected/);
    expect(report).toMatch(/Handshake done \(protocol 5\)/);
    expect(report).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b|candidate|a=|eyJ/);
    await playwrightOf(alicePopup).context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await bobItem.getByRole('button', { name: 'Copy connection details', exact: true }).click();
    await bobItem.getByText('Copied. Paste it into your bug report.').waitFor({ timeout: 5_000 });
    expect(await playwrightOf(alicePopup).evaluate(() => navigator.clipboard.readText())).toBe(report);

    // Peerwall never dials a stranger, so mallory, a stranger with a client of her own, signs in over the
    // broker's API and offers alice a data connection herself. She allows alice to signal to her, so
    // nothing but alice's allowlist stands between them.
    await offerFromOwnClient(
      'mallory',
      'alice',
      async (mallory) => {
        expect((await framesAtAlice()).filter((frame) => frame.src === 'mallory'), 'signalling frames mallory → alice').toEqual([]);
        expect(mallory.framesNaming('alice'), 'frames naming alice on mallory’s socket (signalling, presence)').toEqual([]);
      },
      { newAccount: true },
    );
  });

  it('scenario 2: alice posts; bob is notified, the badge counts it and his popup shows it within seconds', async () => {
    scene.screenshotOnFailure();
    // bob closes his popup: opening the feed marks everything seen, so the badge is read from the worker.
    await bobPopup.close();
    const before = await badgeAndNotifications(bob);
    const text = 'Hello bob, this is my first post on Peerwall!';
    const postedAt = Date.now();
    await writePost(alicePopup, text);
    await waitForPost(alicePopup, 'alice', text, 5_000);

    const after = await waitFor(
      async () => {
        const now = await badgeAndNotifications(bob);
        const fresh = now.notifications.filter((id) => !before.notifications.includes(id) && POST_NOTIFICATION.test(id));
        return fresh.length > 0 && now.badge !== before.badge ? { ...now, fresh } : undefined;
      },
      { timeoutMs: 15_000, describe: () => `bob got no post notification and no badge change (before: ${JSON.stringify(before)})` },
    );
    const notifiedMs = Date.now() - postedAt;
    expect(after.fresh).toHaveLength(1);
    expect(Number(after.badge)).toBe(Number(before.badge || '0') + 1);

    bobPopup = await bob.openPopup();
    await waitForPost(bobPopup, 'alice', text, LIVE_POST_MS);
    const [shown] = await postsMatching(bobPopup, 'alice', text);
    expect(shown?.label).toBe('Post by @alice');
    // The notification names the very post the popup shows.
    const postId = POST_NOTIFICATION.exec(after.fresh[0]!)![1];
    expect(await playwrightOf(bobPopup).locator(`article#post-${postId}`).count()).toBe(1);
    // Seen: opening the feed clears the badge.
    await expect.poll(async () => (await badgeAndNotifications(bob)).badge, { timeout: 5_000 }).toBe('');
    console.info(`bob was notified ${notifiedMs} ms after alice clicked Post (badge ${after.badge})`);
    await scene.screenshotAll('first-post');
  });

  it('scenario 5: a post whose text is markup shows as that literal text and opens no dialog', async () => {
    scene.screenshotOnFailure();
    const [aliceContext, bobContext] = await Promise.all([alice.chromium.attach(), bob.chromium.attach()]);
    aliceContext.on('dialog', noteDialog('alice'));
    bobContext.on('dialog', noteDialog('bob'));
    const hostile = '<img src=x onerror=alert(1)>';
    await writePost(alicePopup, hostile);
    // bob's popup is open: the post arrives live.
    const arrivedMs = await waitForPost(bobPopup, 'alice', hostile, LIVE_POST_MS);
    await sleep(1_000); // an onerror handler would have fired by now
    for (const popup of [alicePopup, bobPopup]) {
      const article = playwrightOf(popup)
        .getByRole('article')
        .filter({ hasText: hostile });
      expect(await article.count(), `${popup.file} shows the post once`).toBe(1);
      expect(await article.locator('p.post-text').innerText()).toBe(hostile);
      expect(await article.locator('img').count(), 'the text became an <img> element').toBe(0);
    }
    // bob's popup shows the feed: he saw the post arrive, so the badge does not count it.
    expect((await badgeAndNotifications(bob)).badge, 'bob’s badge while his popup shows the feed').toBe('');
    // Weak on its own: the extension pages' CSP (MV3 default, script-src 'self') blocks inline
    // handlers, so even an <img onerror> that did get into the page could not open a dialog. The
    // element count and innerText checks above are what catch the text being rendered as markup.
    expect(dialogs).toEqual([]);
    console.info(`the markup post reached bob's open popup after ${arrivedMs} ms`);
  });

  it('scenario 3: while bob’s browser is closed alice posts three times; bob relaunches and sees each once, still signed in', async () => {
    scene.screenshotOnFailure();
    await bob.quit();
    const texts = ['While you were away: one', 'While you were away: two', 'While you were away: three'];
    for (const text of texts) await writePost(alicePopup, text);
    // alice's popup says they wait for bob.
    await waitFor(
      async () => {
        const waiting = (await shownPosts(alicePopup)).filter(
          (post) => texts.some((text) => post.text.includes(text)) && post.text.includes('Will be delivered when @bob comes online'),
        );
        return waiting.length === texts.length ? true : undefined;
      },
      { timeoutMs: 30_000, describe: () => 'alice’s three posts do not all say they will be delivered when @bob comes online' },
    );
    await scene.screenshotAll('waiting-for-bob');

    await bob.launch();
    bobPopup = await bob.openPopup();
    await waitForConnection(bobPopup, 'Online', 30_000);
    expect(await showsSignInForm(bobPopup)).toBe(false);
    for (const text of texts) await waitForPost(bobPopup, 'alice', text, 30_000);
    await sleep(3_000); // a second delivery, if any, would show by now
    for (const text of texts) {
      expect(await postsMatching(bobPopup, 'alice', text), `bob's popup shows "${text}" once`).toHaveLength(1);
    }
    const feed = (await request(bobPopup, 'host:feed', { limit: 100, wall: null })) as Array<{ text: string | null }>;
    for (const text of texts) expect(feed.filter((post) => post.text === text)).toHaveLength(1);
    // Delivered: alice's outbox is empty again.
    await waitFor(
      async () => ((await shownPosts(alicePopup)).some((post) => post.text.includes('Will be delivered')) ? undefined : true),
      { timeoutMs: 20_000, describe: () => 'alice’s popup still says posts wait for @bob after bob came back' },
    );
  });

  it('scenario 4: alice sends carol a request while carol’s browser is closed; carol sees it when she launches', async () => {
    scene.screenshotOnFailure();
    await carol.quit();
    await addFriend(alicePopup, 'carol');
    await waitFor(
      async () =>
        (await alicePopup.visibleText()).includes('Sent: @carol sees it as soon as their Peerwall is open.') ? true : undefined,
      // The broker tells a stranger nothing of carol's presence: the same words whether she is online or not.
      { timeoutMs: 15_000, describe: () => 'alice’s popup does not say the request was sent to @carol' },
    );
    await carol.launch();
    carolPopup = await carol.openPopup();
    await waitForConnection(carolPopup, 'Online', 30_000);
    await waitForRequest(carolPopup, 'alice', 30_000);
    await scene.screenshotAll('request-after-launch');
  });

  it('scenario 4, cancelled: alice cancels her request to carol; it leaves both lists and her “sent” notice', async () => {
    scene.screenshotOnFailure();
    await ensurePlace(alicePopup, 'Friends');
    expect(await alicePopup.visibleText()).toContain('Friend request sent to @carol.');
    await clickFor(alicePopup, 'carol', 'Cancel request', 'Friend requests');
    await waitFor(async () => ((await alicePopup.visibleText()).includes('@carol') ? undefined : true), {
      timeoutMs: 10_000,
      describe: () => 'alice’s popup still names @carol (the request or the “sent” notice) after Cancel request',
    });
    await ensurePlace(carolPopup, 'Friends');
    await waitFor(async () => ((await carolPopup.hasButton('Accept @alice')) ? undefined : true), {
      timeoutMs: 15_000,
      describe: () => 'carol still sees alice’s cancelled request',
    });
  });

  it('scenario 6, first part: carol asks bob, bob accepts, and her next post reaches him within seconds', async () => {
    scene.screenshotOnFailure();
    await addFriend(carolPopup, 'bob');
    await waitForRequest(bobPopup, 'carol');
    const framesAtCarol = await recordSignalling(carol);
    const acceptedAt = Date.now();
    let notYetAt = 0;
    await clickFor(bobPopup, 'carol', 'Accept', 'Friend requests');
    const friendAt = await waitFor(
      async () => {
        const state = (await request(carolPopup, 'host:social-state')) as { friends: Array<{ handle: string }> };
        if (state.friends.some((friend) => friend.handle === 'bob')) return Date.now();
        notYetAt = Date.now();
        return undefined;
      },
      { timeoutMs: 15_000, intervalMs: 20, describe: () => 'carol’s peer host never counts bob as a friend' },
    );
    await Promise.all([waitUntilFriends(bobPopup, 'carol'), waitUntilFriends(carolPopup, 'bob')]);
    const offers = (await framesAtCarol()).filter((frame) => frame.src === 'bob' && frame.type === 'OFFER');
    // Evidence for the race a failure here points at: bob (the smaller handle) dials at once, and an
    // offer that reaches carol before she has processed the acceptance is refused as a stranger's.
    console.info(
      `bob clicked Accept at +0 ms; carol's peer host ` +
        (notYetAt ? `did not yet count bob a friend at +${notYetAt - acceptedAt} ms and ` : '') +
        `did at +${friendAt - acceptedAt} ms; bob's offers reached carol at ` +
        `${offers.map((frame) => `+${frame.at - acceptedAt} ms`).join(', ') || 'no time'}`,
    );
    await writePost(carolPopup, 'Carol before the block');
    await waitForPost(bobPopup, 'carol', 'Carol before the block', 10_000);
  });

  it('scenario 6: after bob blocks carol, her messages are refused and nothing of hers is shown to bob', async () => {
    scene.screenshotOnFailure();
    // Precondition: bob sees carol's post (if the first part failed, after the 60 s redial).
    await waitForPost(bobPopup, 'carol', 'Carol before the block', 75_000);

    // Block asks first, naming carol; Escape cancels and gives the focus back to the button.
    const bobsPage = playwrightOf(bobPopup);
    await clickFor(bobPopup, 'carol', 'Block', 'Friends');
    const confirmation = bobsPage.getByRole('alertdialog', { name: 'Block @carol?', exact: true });
    await confirmation.waitFor({ timeout: 5_000 });
    await bobsPage.keyboard.press('Escape');
    await confirmation.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await bobsPage.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Block @carol');
    expect(await listsFriend(bobPopup, 'carol')).toBe(true);
    await block(bobPopup, 'carol', 'Friends');
    // Undo is offered for a while; dismissed here, so nothing names carol below.
    await bobsPage.getByRole('button', { name: 'Undo block of @carol', exact: true }).waitFor({ timeout: 5_000 });
    await bobPopup.click('Dismiss: you blocked @carol');
    await waitFor(async () => ((await listsFriend(bobPopup, 'carol')) ? undefined : true), {
      timeoutMs: 10_000,
      describe: () => 'bob still lists carol as a friend after blocking her',
    });
    await waitFor(async () => ((await bobPopup.visibleText()).includes('Blocked (1)') ? true : undefined), {
      timeoutMs: 10_000,
      describe: () => 'bob’s friend list does not show Blocked (1)',
    });

    // carol keeps trying: a post, a new friend request, a direct connection.
    const [framesAtBob, framesAtCarol] = await Promise.all([recordSignalling(bob), recordSignalling(carol)]);
    const { notifications: notificationsBefore, badge: badgeBefore } = await badgeAndNotifications(bob);
    await writePost(carolPopup, 'Carol after the block');
    await unfriend(carolPopup, 'bob');
    await waitFor(async () => ((await listsFriend(carolPopup, 'bob')) ? undefined : true), {
      timeoutMs: 10_000,
      describe: () => 'carol still lists bob after unfriending him',
    });
    await addFriend(carolPopup, 'bob');
    await waitFor(async () => ((await carolPopup.visibleText()).includes('Waiting for @bob to accept') ? true : undefined), {
      timeoutMs: 10_000,
      describe: () => 'carol’s popup does not show her new request to @bob',
    });
    expect((await framesAtCarol()).filter((frame) => frame.src === 'bob'), 'signalling frames bob → carol').toEqual([]);
    // carol's client dials friends only; a client of her own could still offer bob a data connection. Its
    // new session displaces her browser (which then shows Signed in elsewhere).
    await offerFromOwnClient('carol', 'bob', async (carolsOwnClient) => {
      expect((await framesAtBob()).filter((frame) => frame.src === 'carol'), 'signalling frames carol → bob').toEqual([]);
      expect(carolsOwnClient.framesNaming('bob'), 'frames naming bob on carol’s own socket (signalling, presence)').toEqual([]);
    });

    expect(await postsMatching(bobPopup, 'carol', ''), 'carol’s posts on bob’s popup').toEqual([]);
    const bobsText = await bobPopup.visibleText();
    expect(bobsText).not.toContain('Carol before the block');
    expect(bobsText).not.toContain('Carol after the block');
    expect(bobsText).not.toMatch(/@carol/); // the Blocked list stays folded
    const state = (await request(bobPopup, 'host:social-state')) as {
      friends: Array<{ handle: string }>;
      incoming: Array<{ handle: string }>;
      blocked: string[];
    };
    expect(state.blocked).toEqual(['carol']);
    expect(state.friends.map((friend) => friend.handle)).toEqual(['alice']);
    expect(state.incoming.map((entry) => entry.handle)).toEqual([]);
    const feed = (await request(bobPopup, 'host:feed', { limit: 100, wall: null })) as Array<{ author: string }>;
    expect(feed.filter((post) => post.author === 'carol')).toEqual([]);
    const noticesAfter = await badgeAndNotifications(bob);
    const fresh = noticesAfter.notifications.filter((id) => !notificationsBefore.includes(id));
    expect(fresh, 'notifications bob got while blocking carol').toEqual([]);
    expect(noticesAfter.badge, 'bob’s badge while carol kept trying').toBe(badgeBefore);
    await scene.screenshotAll('after-block');
    // For the README: a friend list with a friend online and a blocked handle.
    await screenshotRegion(bobPopup, path.join(scene.artifactsDir, 'readme-friends.png'), 'Friends');
  });
});
