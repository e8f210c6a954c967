import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clickInPost,
  commentOn,
  commentsOf,
  deletePost,
  editComment,
  hasLinkInPost,
  waitForComment,
  waitForLikes,
  waitForNoPost,
  writeOnWall,
} from './support/conversation';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, waitForConnection } from './support/flows';
import { goTo } from './support/places';
import { saveProfile } from './support/profile';
import { Scene } from './support/scene';
import {
  befriend,
  openWall,
  postsMatching,
  screenshotRegion,
  waitForFriendPresence,
  waitForPost,
  writePost,
  type ShownPost,
} from './support/social';
import type { TestUser } from './support/test-user';
import { sleep, waitFor } from './support/wait';

const ALICES_POST = 'Picnic at the lake on Sunday: who is in?';
const BIRTHDAY = 'Happy birthday, alice! The cake is on me this year.';
const WHILE_AWAY = 'Left this while you were offline: see you at the picnic!';
const CAROLS_COMMENT = 'Count me in, I will bring lemonade.';
const BOBS_COMMENT = 'I can bring the blanket and some plums.';
const BOBS_EDIT = 'I can bring the blanket, plums and a kite.';
const DISPLAY_NAME = 'Alice Liddell';
const ABOUT = 'Lakeside picnics and long walks.';

/** A post bob wrote on alice's wall names both: `@bob → @alice` (each a link of its own). */
const BOB_ON_ALICES_WALL = /@bob\s*→\s*@alice/;
const PENDING_FOR_ALICE = 'Pending — waits for @alice to accept it.';
const EDITED = /\bEdited\b/;

/**
 * Issue 10: conversations on a wall. alice is a friend of bob and of carol (Firefox); bob and carol are not
 * friends, so whatever one of them writes reaches the other only through alice's wall. One scene whose steps
 * build on each other: two of bob's posts and a conversation under alice's post.
 */
describe('scenario 11 (issue 10): conversations on a wall', () => {
  const scene = new Scene('11-conversations');
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser; // Firefox
  let alicePopup: ExtensionPage;
  let bobPopup: ExtensionPage; // shows alice's wall from step 1 on
  let carolPopup: ExtensionPage;

  async function relaunch(user: TestUser): Promise<ExtensionPage> {
    await user.launch();
    const popup = await user.openPopup();
    await waitForConnection(popup, 'Online', 45_000);
    return popup;
  }

  /** The one post on `page` by `author` with `text`. */
  async function onlyPost(page: ExtensionPage, author: string, text: string): Promise<ShownPost> {
    const posts = await postsMatching(page, author, text);
    expect(posts, `${page.kind} ${page.file} shows "${text}" by @${author} once`).toHaveLength(1);
    return posts[0]!;
  }

  /** Waits until bob's own copy of `text` is no longer marked pending (alice sealed it). */
  async function waitUntilAccepted(text: string, timeoutMs: number): Promise<void> {
    let seen: ShownPost[] = [];
    await waitFor(
      async () => {
        seen = await postsMatching(bobPopup, 'bob', text);
        return seen.length === 1 && !seen[0]!.text.includes('Pending') ? true : undefined;
      },
      { timeoutMs, describe: () => `bob's post "${text}" is still pending (or gone): ${JSON.stringify(seen)}` },
    );
  }

  beforeAll(async () => {
    [alice, bob, carol] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'chromium'],
      ['carol', 'firefox'],
    ])) as [TestUser, TestUser, TestUser];
    [alicePopup, bobPopup, carolPopup] = await Promise.all([alice.openPopup(), bob.openPopup(), carol.openPopup()]);
    for (const [user, popup] of [[alice, alicePopup], [bob, bobPopup], [carol, carolPopup]] as const) {
      await createAccount(popup, { handle: user.name, brokerUrl: scene.broker.url });
    }
    await Promise.all([alicePopup, bobPopup, carolPopup].map((popup) => waitForConnection(popup, 'Online')));
    // alice asks both (her handle sorts first, so she dials only once each acceptance reached her).
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await befriend(alicePopup, 'alice', carolPopup, 'carol');
    await Promise.all([
      waitForFriendPresence(alicePopup, 'bob', 'Online'),
      waitForFriendPresence(alicePopup, 'carol', 'Online'),
      waitForFriendPresence(bobPopup, 'alice', 'Online'),
      waitForFriendPresence(carolPopup, 'alice', 'Online'),
    ]);
    await writePost(alicePopup, ALICES_POST);
    await Promise.all([waitForPost(bobPopup, 'alice', ALICES_POST, 20_000), waitForPost(carolPopup, 'alice', ALICES_POST, 20_000)]);
  }, 180_000);
  afterAll(() => scene.dispose());

  it('1. bob writes on alice’s wall; alice and carol see it as @bob → @alice', async () => {
    scene.screenshotOnFailure();
    await openWall(bobPopup, 'alice');
    await writeOnWall(bobPopup, 'alice', BIRTHDAY);
    for (const page of [alicePopup, carolPopup]) {
      await waitForPost(page, 'bob', BIRTHDAY, 20_000);
      const shown = await onlyPost(page, 'bob', BIRTHDAY);
      expect(shown.label).toBe('Post by @bob');
      expect(shown.text, `${page.kind} ${page.file} names the wall the post is on`).toMatch(BOB_ON_ALICES_WALL);
    }
    await waitUntilAccepted(BIRTHDAY, 20_000);
    await scene.screenshotAll('1-wall-post');
  });

  it('2. carol comments on alice’s post and likes it; alice and bob see both; her unlike takes the count back to 0', async () => {
    scene.screenshotOnFailure();
    await commentOn(carolPopup, ALICES_POST, CAROLS_COMMENT);
    await clickInPost(carolPopup, ALICES_POST, 'Like');
    await waitForLikes(carolPopup, ALICES_POST, { count: 1, pressed: true }, 10_000);
    for (const page of [alicePopup, bobPopup]) {
      expect(await waitForComment(page, ALICES_POST, CAROLS_COMMENT)).toContain('@carol');
      const like = await waitForLikes(page, ALICES_POST, { count: 1, pressed: false });
      expect(like.likedBy, `who liked it, on ${page.kind} ${page.file}`).toContain('@carol');
    }
    await scene.screenshotAll('2-comment-and-like');

    await clickInPost(carolPopup, ALICES_POST, 'Like');
    await waitForLikes(carolPopup, ALICES_POST, { count: 0, pressed: false }, 10_000);
    for (const page of [alicePopup, bobPopup]) await waitForLikes(page, ALICES_POST, { count: 0, pressed: false });
    // The comment stays.
    for (const page of [alicePopup, bobPopup, carolPopup]) {
      expect((await commentsOf(page, ALICES_POST)).filter((text) => text.includes(CAROLS_COMMENT))).toHaveLength(1);
    }
  });

  it('3. bob writes on alice’s wall while her browser is closed; it waits, then reaches her wall and carol’s', async () => {
    scene.screenshotOnFailure();
    await alice.quit();
    await waitForFriendPresence(bobPopup, 'alice', 'Offline', 45_000);
    await writeOnWall(bobPopup, 'alice', WHILE_AWAY);
    let mine: ShownPost[] = [];
    await waitFor(
      async () => {
        mine = await postsMatching(bobPopup, 'bob', WHILE_AWAY);
        return mine.length === 1 && mine[0]!.text.includes(PENDING_FOR_ALICE) ? true : undefined;
      },
      { timeoutMs: 10_000, describe: () => `bob's post does not say "${PENDING_FOR_ALICE}": ${JSON.stringify(mine)}` },
    );
    expect(await bobPopup.visibleText()).toContain('Will be delivered when @alice comes online.');
    await scene.screenshotAll('3-pending');

    alicePopup = await relaunch(alice);
    await goTo(alicePopup, 'My wall');
    await waitForPost(alicePopup, 'bob', WHILE_AWAY, 60_000);
    expect((await onlyPost(alicePopup, 'bob', WHILE_AWAY)).text).toMatch(BOB_ON_ALICES_WALL);
    await waitForPost(carolPopup, 'bob', WHILE_AWAY, 30_000);
    await waitUntilAccepted(WHILE_AWAY, 30_000);
    await scene.screenshotAll('3-delivered');
  }, 180_000);

  it('4. alice deletes bob’s post on her wall while carol’s browser is closed; it is gone everywhere, at carol’s once she launches', async () => {
    scene.screenshotOnFailure();
    await carol.quit();
    await deletePost(alicePopup, BIRTHDAY);
    await waitForNoPost(alicePopup, BIRTHDAY, 10_000);
    await waitForNoPost(bobPopup, BIRTHDAY, 30_000);

    carolPopup = await relaunch(carol);
    // Her feed has loaded (bob's other post on alice's wall is there) before "gone" can mean anything.
    await waitForPost(carolPopup, 'bob', WHILE_AWAY, 30_000);
    await waitForNoPost(carolPopup, BIRTHDAY, 60_000);
    await sleep(2_000); // a copy carried back by a sync would show by now
    for (const page of [alicePopup, bobPopup, carolPopup]) {
      expect(await postsMatching(page, 'bob', BIRTHDAY), `${page.kind} ${page.file} shows the deleted post`).toEqual([]);
      await onlyPost(page, 'bob', WHILE_AWAY);
    }
    await scene.screenshotAll('4-deleted');
  }, 180_000);

  it('5. bob comments on alice’s post and edits the comment; alice and carol see the new text marked Edited', async () => {
    scene.screenshotOnFailure();
    await commentOn(bobPopup, ALICES_POST, BOBS_COMMENT);
    for (const page of [alicePopup, carolPopup]) await waitForComment(page, ALICES_POST, BOBS_COMMENT, 30_000);

    await editComment(bobPopup, ALICES_POST, BOBS_COMMENT, BOBS_EDIT);
    for (const page of [alicePopup, carolPopup]) {
      const edited = await waitForComment(page, ALICES_POST, (text) => text.includes(BOBS_EDIT) && EDITED.test(text), 30_000);
      expect(edited).toContain('@bob');
      const comments = await commentsOf(page, ALICES_POST);
      expect(comments.filter((text) => text.includes(BOBS_COMMENT)), `the old text on ${page.kind} ${page.file}`).toEqual([]);
      expect(comments.filter((text) => text.includes(CAROLS_COMMENT))).toHaveLength(1);
    }
    await scene.screenshotAll('5-edited-comment');
  });

  it('6. alice sets a display name; bob and carol see it beside @alice on her posts', async () => {
    scene.screenshotOnFailure();
    await saveProfile(alicePopup, { displayName: DISPLAY_NAME, about: ABOUT });
    for (const page of [bobPopup, carolPopup]) {
      let seen = '';
      await waitFor(
        async () => {
          seen = (await postsMatching(page, 'alice', ALICES_POST))[0]?.text ?? '(no post)';
          return seen.includes(DISPLAY_NAME) ? true : undefined;
        },
        { timeoutMs: 30_000, describe: () => `${page.kind} ${page.file} shows alice's post without "${DISPLAY_NAME}": ${JSON.stringify(seen)}` },
      );
      expect(seen).toMatch(new RegExp(`${DISPLAY_NAME}\\s*@alice`));
      // The name is plain text beside the link; the link's name stays the handle.
      expect(await hasLinkInPost(page, ALICES_POST, '@alice'), `a link named exactly @alice on ${page.kind} ${page.file}`).toBe(true);
    }
    // bob is looking at alice's wall, whose header shows her "about".
    expect(await bobPopup.visibleText()).toContain(ABOUT);
    await scene.screenshotAll('6-display-name');
  });

  it('for the README: alice’s wall with a conversation, in bob’s popup and side panel', async () => {
    scene.screenshotOnFailure();
    await clickInPost(bobPopup, ALICES_POST, 'Like');
    await waitForLikes(bobPopup, ALICES_POST, { count: 1, pressed: true }, 10_000);
    await screenshotRegion(bobPopup, path.join(scene.artifactsDir, 'readme-conversation.png'), 'Posts');

    const sidePanel = await bob.openSidePanel();
    await waitForConnection(sidePanel, 'Online', 15_000);
    await openWall(sidePanel, 'alice');
    await waitForComment(sidePanel, ALICES_POST, BOBS_EDIT, 15_000);
    await waitForLikes(sidePanel, ALICES_POST, { count: 1, pressed: true }, 10_000);
    await sidePanel.screenshot(path.join(scene.artifactsDir, 'readme-conversation-sidepanel.png'));
  });
});
