import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeViolations, seriousViolations, type AxeViolation } from './support/axe';
import type { BrokerSocket } from './support/broker-socket';
import { useColorScheme, type ColorScheme } from './support/color-scheme';
import { commentOn, clickInPost, waitForComment, waitForLikes } from './support/conversation';
import type { ExtensionPage } from './support/extension-page';
import { createAccount, waitForConnection } from './support/flows';
import { restPointerAndFocus } from './support/in-page';
import { ensurePlace } from './support/places';
import { Scene } from './support/scene';
import { befriend, openWall, waitForFriendPresence, waitForPost, waitForRequest, writePost } from './support/social';
import { sendFriendRequests } from './support/stranger-request';
import type { TestUser } from './support/test-user';
import { MIN_TEXT_PX, textSizes, type TextSize } from './support/type-size';
import { waitFor } from './support/wait';

const ALICES_POST = 'Bread is out of the oven: come by for a slice before six.';
/** Long enough (over 600 characters) to be collapsed with **Show more**; posts are found by its first words. */
const BOBS_POST_START = 'Found a quiet bench by the river';
const BOBS_POST = [
  `${BOBS_POST_START}, bringing a book tomorrow.`,
  'It sits under the willow past the second bridge, where the path turns towards the allotments and the noise of',
  'the ring road finally fades. In the morning the sun comes through the leaves and the ducks keep to the far bank.',
  'I will be there from nine with a flask of tea, two cups and the novel I have been meaning to finish since spring.',
  'If you come by, bring something to read aloud: a poem, a letter, the weather forecast, anything at all.',
  'If it rains we move to the bandstand, which has a roof and, on Saturdays, a man who sells very good pastries. See you there!',
].join(' ');
const BOBS_COMMENT = 'Saving the crust for me, I hope!';

/** The screens issue 16 checks; each is saved as `readme-<browser>-<screen>-<scheme>.png`. */
type Screen =
  | 'welcome-signed-out'
  | 'popup-signed-out'
  | 'welcome'
  | 'feed'
  | 'my-wall'
  | 'friend-wall'
  | 'friends'
  | 'settings'
  | 'sidepanel-feed';

interface ScreenCheck {
  browser: string;
  screen: Screen;
  scheme: ColorScheme;
  violations: AxeViolation[];
  body: number;
  smallest: TextSize | undefined;
  /** Every text under 13 px, one per selector. */
  tooSmall: TextSize[];
  /** The smallest text of each kind (post, comment, hint, label, button, nav, field, other). */
  smallestByKind: Record<string, number>;
}

/**
 * Issue 16: every screen passes axe-core with no serious or critical violation in light and dark, its text is at
 * least 13 px, and each place is saved as a screenshot for the README — in Chromium (alice) and Firefox (bob).
 * alice and bob are friends, each has a post (bob's long enough for Show more), bob commented on alice's and
 * liked it, and dana (a client of her own) asked both to be friends.
 */
describe('scenario 12 (issue 16): accessible screens, readable type, screenshots', () => {
  const scene = new Scene('12-ux');
  const checks: ScreenCheck[] = [];
  let alice: TestUser;
  let bob: TestUser; // Firefox
  let dana: BrokerSocket | undefined;
  const popups = new Map<TestUser, ExtensionPage>();
  const welcomes = new Map<TestUser, ExtensionPage>();

  /** axe in light and dark, the type sizes once, and a screenshot per scheme; the page ends up light again. */
  async function check(user: TestUser, page: ExtensionPage, screen: Screen): Promise<ScreenCheck[]> {
    const done: ScreenCheck[] = [];
    await restPointerAndFocus(page);
    const sizes = await textSizes(page);
    const smallestByKind: Record<string, number> = {};
    const tooSmall = [...new Map(sizes.texts.filter((text) => text.px < MIN_TEXT_PX).map((text) => [text.selector, text])).values()];
    for (const text of sizes.texts) smallestByKind[text.kind] = Math.min(smallestByKind[text.kind] ?? Infinity, text.px);
    for (const scheme of ['light', 'dark'] as const) {
      await useColorScheme(page, scheme);
      const violations = await seriousViolations(page);
      await page.screenshot(path.join(scene.artifactsDir, `readme-${user.kind}-${screen}-${scheme}.png`));
      done.push({ browser: user.kind, screen, scheme, violations, body: sizes.body, smallest: sizes.texts[0], tooSmall, smallestByKind });
    }
    await useColorScheme(page, 'light');
    checks.push(...done);
    return done;
  }

  /** Every problem the checks found, one entry each: the violations, then text under 13 px. */
  function problems(found: ScreenCheck[]): string[] {
    const lines: string[] = [];
    for (const each of found) {
      const where = `${each.browser} ${each.screen} (${each.scheme})`;
      lines.push(...describeViolations(where, each.violations));
      if (each.scheme !== 'light') continue; // the sizes are measured once per screen
      if (each.body < MIN_TEXT_PX) lines.push(`${where}: body text is ${each.body} px`);
      for (const { px, kind, selector, text } of each.tooSmall) lines.push(`${where}: ${kind} text of ${px} px at ${selector} ("${text}")`);
    }
    return lines;
  }

  /** Runs `visit` for alice and bob side by side, checks what it shows, and fails listing every problem. */
  async function checkBoth(screen: Screen, visit: (user: TestUser, other: TestUser) => Promise<ExtensionPage>): Promise<void> {
    const found = await Promise.all(
      ([[alice, bob], [bob, alice]] as const).map(async ([user, other]) => check(user, await visit(user, other), screen)),
    );
    const lines = problems(found.flat());
    expect(lines, lines.join('\n')).toEqual([]);
  }

  beforeAll(async () => {
    [alice, bob] = (await scene.start([
      ['alice', 'chromium'],
      ['bob', 'firefox'],
    ])) as [TestUser, TestUser];
    for (const user of [alice, bob]) {
      welcomes.set(user, await user.browser.openExtensionPage('welcome.html'));
      popups.set(user, await user.openPopup());
    }
  });
  afterAll(async () => {
    writeFileSync(path.join(scene.artifactsDir, 'ux-checks.json'), JSON.stringify(checks, null, 2));
    await dana?.close();
    await scene.dispose();
  });

  it('the welcome page and the popup, signed out', async () => {
    scene.screenshotOnFailure();
    await checkBoth('welcome-signed-out', async (user) => welcomes.get(user)!);
    await checkBoth('popup-signed-out', async (user) => popups.get(user)!);
  });

  it('the welcome page, signed in', async () => {
    scene.screenshotOnFailure();
    await Promise.all([alice, bob].map((user) => createAccount(popups.get(user)!, { handle: user.name, brokerUrl: scene.broker.url })));
    await checkBoth('welcome', async (user) => {
      const welcome = welcomes.get(user)!;
      await waitForConnection(welcome, 'Online');
      return welcome;
    });
  });

  it('alice and bob befriend and each posts; bob comments on alice’s post and likes it; dana asks both', async () => {
    scene.screenshotOnFailure();
    const [alicePopup, bobPopup] = [popups.get(alice)!, popups.get(bob)!];
    await Promise.all([waitForConnection(alicePopup, 'Online'), waitForConnection(bobPopup, 'Online')]);
    await befriend(alicePopup, 'alice', bobPopup, 'bob');
    await Promise.all([waitForFriendPresence(alicePopup, 'bob', 'Online'), waitForFriendPresence(bobPopup, 'alice', 'Online')]);
    dana = await sendFriendRequests(scene.broker.url, 'dana', ['alice', 'bob']);
    await writePost(alicePopup, ALICES_POST);
    await writePost(bobPopup, BOBS_POST);
    await Promise.all([waitForPost(bobPopup, 'alice', ALICES_POST, 20_000), waitForPost(alicePopup, 'bob', BOBS_POST_START, 20_000)]);
    await commentOn(bobPopup, ALICES_POST, BOBS_COMMENT);
    await clickInPost(bobPopup, ALICES_POST, 'Like');
    await waitForComment(alicePopup, ALICES_POST, BOBS_COMMENT);
    await waitForLikes(alicePopup, ALICES_POST, { count: 1 });
  });

  it('the popup: Feed, with both posts, a comment and a like', async () => {
    scene.screenshotOnFailure();
    await checkBoth('feed', async (user) => {
      const popup = popups.get(user)!;
      await ensurePlace(popup, 'Feed');
      await waitForPost(popup, 'alice', ALICES_POST);
      await waitForPost(popup, 'bob', BOBS_POST_START);
      return popup;
    });
  });

  it('the popup: My wall', async () => {
    scene.screenshotOnFailure();
    await checkBoth('my-wall', async (user) => {
      const popup = popups.get(user)!;
      await ensurePlace(popup, 'My wall');
      await waitForPost(popup, user.name, user === alice ? ALICES_POST : BOBS_POST_START);
      return popup;
    });
  });

  it('the popup: a friend’s wall', async () => {
    scene.screenshotOnFailure();
    await checkBoth('friend-wall', async (user, other) => {
      const popup = popups.get(user)!;
      await openWall(popup, other.name);
      await waitForPost(popup, other.name, other === alice ? ALICES_POST : BOBS_POST_START);
      return popup;
    });
  });

  it('the popup: Friends, with a friend and a request', async () => {
    scene.screenshotOnFailure();
    await checkBoth('friends', async (user) => {
      const popup = popups.get(user)!;
      await ensurePlace(popup, 'Friends');
      await waitForRequest(popup, 'dana');
      return popup;
    });
  });

  it('the popup: Settings', async () => {
    scene.screenshotOnFailure();
    await checkBoth('settings', async (user) => {
      const popup = popups.get(user)!;
      await ensurePlace(popup, 'Settings');
      await waitFor(async () => ((await popup.hasField('Display name')) ? true : undefined), {
        timeoutMs: 5_000,
        describe: () => `${user.kind} Settings shows no Display name field`,
      });
      return popup;
    });
  });

  it('the side panel, Feed', async () => {
    scene.screenshotOnFailure();
    await checkBoth('sidepanel-feed', async (user) => {
      const sidePanel = await user.openSidePanel();
      await waitForConnection(sidePanel, 'Online', 15_000);
      await ensurePlace(sidePanel, 'Feed');
      await waitForPost(sidePanel, 'alice', ALICES_POST);
      await waitForComment(sidePanel, ALICES_POST, BOBS_COMMENT);
      return sidePanel;
    });
    const smallest = (browser: string) =>
      checks.filter((each) => each.browser === browser && each.smallest).sort((a, b) => a.smallest!.px - b.smallest!.px)[0];
    for (const browser of ['chromium', 'firefox']) {
      const found = smallest(browser);
      console.info(`${browser}: smallest text ${found?.smallest?.px} px (${found?.screen}: ${found?.smallest?.selector})`);
    }
  });
});
