import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page as PlaywrightPage, Worker } from 'playwright-core';
import WebSocket from 'ws';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import { FirefoxExtensionPage } from './firefox-page';
import { ensurePlace, ensurePosts } from './places';
import type { TestUser } from './test-user';
import { waitFor } from './wait';

/**
 * What a person does and sees with friends and posts (issue 5's UI contract: **Friend's handle**, **Add friend**,
 * **Accept @x**, **Decline @x** and **Block @x** on a request, **Cancel request to @x** on one's own, a link **@x** plus
 * **Unfriend @x** and **Block @x** per friend, both confirmed in an alert dialog (**Yes, unfriend @x**, issue 16),
 * **Write on your wall** + **Post**, every post an `article` with its author's handle and text).
 */

/** Fills **Friend's handle** and clicks **Add friend**. */
export async function addFriend(page: ExtensionPage, handle: string): Promise<void> {
  await ensurePlace(page, 'Friends');
  await page.fill("Friend's handle", handle);
  await page.click('Add friend');
}

/** Fills **Write on your wall** and clicks **Post**; waits until the box is empty again (the post was saved). */
export async function writePost(page: ExtensionPage, text: string): Promise<void> {
  await ensurePosts(page);
  await page.fill('Write on your wall', text);
  await page.click('Post');
  if (page instanceof ChromiumExtensionPage) {
    const box = page.page.getByLabel('Write on your wall', { exact: true });
    await waitFor(async () => ((await box.inputValue()) === '' ? true : undefined), {
      timeoutMs: 15_000,
      describe: () => `the post "${text}" was not saved on ${page.file}: ${JSON.stringify(text)} stays in the box`,
    });
  } else {
    await waitFor(
      async () => {
        const value = await (page as FirefoxExtensionPage).page.evaluate(
          () => (document.getElementById('pw-composer') as HTMLTextAreaElement | null)?.value ?? null,
        );
        return value === '' ? true : undefined;
      },
      { timeoutMs: 15_000, describe: () => `the post "${text}" was not saved on ${page.file}` },
    );
  }
}

export interface ShownPost {
  /** The article's accessible name, e.g. `Post by @alice`. */
  label: string;
  text: string;
}

/** Every `article` on the page with its accessible name and visible text, top to bottom. */
export async function shownPosts(page: ExtensionPage): Promise<ShownPost[]> {
  await ensurePosts(page);
  const read = (elements: Element[]): ShownPost[] =>
    elements.map((element) => ({
      label: element.getAttribute('aria-label') ?? '',
      text: (element as HTMLElement).innerText,
    }));
  if (page instanceof ChromiumExtensionPage) return page.page.getByRole('article').evaluateAll(read);
  return (page as FirefoxExtensionPage).page.$$eval('::-p-aria([role="article"])', read);
}

/** The posts on the page by `author` whose text contains `text`. */
export async function postsMatching(page: ExtensionPage, author: string, text: string): Promise<ShownPost[]> {
  return (await shownPosts(page)).filter((post) => post.text.includes(`@${author}`) && post.text.includes(text));
}

/** Waits until an article by `author` containing `text` is on the page; returns how long that took. */
export async function waitForPost(page: ExtensionPage, author: string, text: string, timeoutMs = 15_000): Promise<number> {
  const start = Date.now();
  await waitFor(async () => ((await postsMatching(page, author, text)).length > 0 ? true : undefined), {
    timeoutMs,
    describe: () => `no article by @${author} with "${text}" on ${page.kind} ${page.file}`,
  }).catch(async (error: unknown) => {
    const posts = await shownPosts(page).catch(() => []);
    throw new Error(`${(error as Error).message}; it shows ${JSON.stringify(posts)}`);
  });
  return Date.now() - start;
}

/** The `listitem` naming `@handle` (a friend or a request), in Chromium. */
export function listItemOf(page: ExtensionPage, handle: string, section?: 'Friends' | 'Friend requests') {
  const playwright = chromiumPage(page);
  const scope = section ? playwright.getByRole('region', { name: section, exact: true }) : playwright;
  // The handle is an element of its own (a link or <strong>); the row's text runs on without a space after it.
  return scope.getByRole('listitem').filter({ has: playwright.getByText(`@${handle}`, { exact: true }) });
}

/** What a person can do about a friend or a request; each button's accessible name says whom (`Accept @bob`). */
export type FriendAction = 'Accept' | 'Decline' | 'Block' | 'Unfriend' | 'Cancel request';

/** The accessible name of `action`'s button for `@handle`. */
export const friendActionName = (action: FriendAction, handle: string): string =>
  action === 'Cancel request' ? `Cancel request to @${handle}` : `${action} @${handle}`;

/**
 * Clicks `action`'s button for `@handle` (scoped to its list item in Chromium). Unfriend and Block only open
 * their confirmation: `unfriend` and `block` below also confirm.
 */
export async function clickFor(page: ExtensionPage, handle: string, action: FriendAction, section?: 'Friends' | 'Friend requests'): Promise<void> {
  await ensurePlace(page, 'Friends');
  const name = friendActionName(action, handle);
  if (page instanceof ChromiumExtensionPage) {
    await listItemOf(page, handle, section).getByRole('button', { name, exact: true }).click({ timeout: 10_000 });
    return;
  }
  // The name says whom, so it is unique on the page.
  await page.click(name);
}

/** Unfriends `@handle`: **Unfriend @handle**, then **Yes, unfriend @handle** in the confirmation. */
export async function unfriend(page: ExtensionPage, handle: string): Promise<void> {
  await clickFor(page, handle, 'Unfriend', 'Friends');
  await page.click(`Yes, unfriend @${handle}`);
}

/** Blocks `@handle` from the friend list or a request: **Block @handle**, then **Yes, block @handle**. */
export async function block(page: ExtensionPage, handle: string, section: 'Friends' | 'Friend requests'): Promise<void> {
  await clickFor(page, handle, 'Block', section);
  await page.click(`Yes, block @${handle}`);
}

/** Waits until an incoming request from `@handle` with an Accept button is shown; returns the wait. */
export async function waitForRequest(page: ExtensionPage, handle: string, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  await ensurePlace(page, 'Friends');
  if (page instanceof ChromiumExtensionPage) {
    await listItemOf(page, handle, 'Friend requests')
      .getByRole('button', { name: `Accept @${handle}`, exact: true })
      .waitFor({ state: 'visible', timeout: timeoutMs })
      .catch(async () => {
        throw new Error(`no request from @${handle} with Accept on ${page.file} within ${timeoutMs / 1000} s; it reads ${JSON.stringify((await page.visibleText()).slice(0, 600))}`);
      });
  } else {
    await waitFor(
      async () => ((await page.hasButton(`Accept @${handle}`)) ? true : undefined),
      { timeoutMs, describe: () => `no request from @${handle} with Accept on ${page.kind} ${page.file}` },
    );
  }
  return Date.now() - start;
}

/** Whether the page lists `@handle` as a friend: a link **@handle** and an **Unfriend @handle** button. */
export async function listsFriend(page: ExtensionPage, handle: string): Promise<boolean> {
  await ensurePlace(page, 'Friends');
  if (page instanceof ChromiumExtensionPage) {
    const item = listItemOf(page, handle, 'Friends');
    return (
      (await item.getByRole('link', { name: `@${handle}`, exact: true }).isVisible()) &&
      (await item.getByRole('button', { name: `Unfriend @${handle}`, exact: true }).isVisible())
    );
  }
  // Only the Friends list counts: a request or a post also shows the handle as a link.
  const friendsList = await (page as FirefoxExtensionPage).page.$('::-p-aria([name="Friends"][role="region"])');
  const links = friendsList ? await friendsList.$$(`::-p-aria([name=${JSON.stringify(`@${handle}`)}][role="link"])`) : [];
  return links.length > 0 && (await page.hasButton(`Unfriend @${handle}`));
}

export async function waitUntilFriends(page: ExtensionPage, handle: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => ((await listsFriend(page, handle)) ? true : undefined), {
    timeoutMs,
    describe: () => `${page.kind} ${page.file} does not list @${handle} as a friend`,
  }).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}; it reads ${JSON.stringify((await page.visibleText()).slice(0, 600))}`);
  });
}

/** `asker` adds `answerer` by handle, `answerer` accepts the request, and each lists the other. */
export async function befriend(asker: ExtensionPage, askerHandle: string, answerer: ExtensionPage, answererHandle: string): Promise<void> {
  await addFriend(asker, answererHandle);
  await waitForRequest(answerer, askerHandle);
  await clickFor(answerer, askerHandle, 'Accept', 'Friend requests');
  await Promise.all([waitUntilFriends(asker, answererHandle), waitUntilFriends(answerer, askerHandle)]);
}

export type FriendPresenceText =
  | 'Online'
  | 'Offline'
  | 'Connecting…'
  | 'Can’t connect'
  | 'Deleted their account'
  // While one's own Peerwall is not connected to the broker (issue 16).
  | 'Unknown — you are offline'
  | 'Unknown — connecting…';

/** What the **Friends** list says beside `@handle` (a fresh peer host says Online only once a sync connection is ready). */
export async function friendPresence(page: ExtensionPage, handle: string): Promise<FriendPresenceText | undefined> {
  await ensurePlace(page, 'Friends');
  const text =
    page instanceof ChromiumExtensionPage
      ? await page.page.getByRole('region', { name: 'Friends', exact: true }).innerText({ timeout: 5_000 })
      : await (page as FirefoxExtensionPage).page.$$eval('::-p-aria([name="Friends"][role="region"])', (regions) =>
          regions.map((region) => (region as HTMLElement).innerText).join('\n'),
        );
  // Handles are [a-z0-9_]: nothing to escape.
  const match = new RegExp(`(?:^|\\s)@${handle}\\s*(Online|Offline|Connecting…|Can’t connect|Deleted their account|Unknown — you are offline|Unknown — connecting…)`).exec(text);
  return match?.[1] as FriendPresenceText | undefined;
}

/** Waits until the **Friends** list shows `@handle` as `expected`. */
export async function waitForFriendPresence(
  page: ExtensionPage,
  handle: string,
  expected: FriendPresenceText,
  timeoutMs = 30_000,
): Promise<void> {
  let last: FriendPresenceText | undefined;
  await waitFor(
    async () => {
      last = await friendPresence(page, handle).catch(() => undefined);
      return last === expected ? true : undefined;
    },
    { timeoutMs, describe: () => `${page.kind} ${page.file} shows @${handle} as ${last ?? 'no friend'}, not ${expected}` },
  );
}

function chromiumPage(page: ExtensionPage): PlaywrightPage {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error(`${page.kind} ${page.file} is not a Chromium page.`);
  return page.page;
}

// ---- the extension's own contexts (Chromium) ---------------------------------------------------------------

/** The extension's service worker, where `chrome.notifications` and `chrome.action` are read. */
export async function extensionWorker(user: TestUser): Promise<Worker> {
  const context = await user.chromium.attach();
  const prefix = `chrome-extension://${user.chromium.extensionId}/`;
  const running = context.serviceWorkers().find((worker) => worker.url().startsWith(prefix));
  if (running) return running;
  // Asleep: any extension message wakes it; the offscreen document sends one without touching the feed.
  const woken = context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(prefix), timeout: 10_000 });
  await evaluateInOffscreen(user, "chrome.runtime.sendMessage({ type: 'bg:unseen' }).then(() => null, () => null)");
  return woken;
}

/** The toolbar badge text and the ids of the extension's notifications still showing. */
export async function badgeAndNotifications(user: TestUser): Promise<{ badge: string; notifications: string[] }> {
  const worker = await extensionWorker(user);
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as {
      chrome: {
        action: { getBadgeText(details: object): Promise<string> };
        notifications: { getAll(): Promise<Record<string, unknown>> };
      };
    };
    return { badge: await chrome.action.getBadgeText({}), notifications: Object.keys(await chrome.notifications.getAll()) };
  });
}

/** The DevTools WebSocket URL of `user`'s offscreen document (Playwright does not list offscreen documents). */
export async function offscreenDebuggerUrl(user: TestUser): Promise<string> {
  const port = Number(readFileSync(path.join(user.profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
  const offscreenUrl = `chrome-extension://${user.chromium.extensionId}/offscreen.html`;
  const target = await waitFor(
    async () => {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ url: string; webSocketDebuggerUrl?: string }>;
      return list.find((entry) => entry.url === offscreenUrl && entry.webSocketDebuggerUrl);
    },
    { timeoutMs: 15_000, describe: () => `${user.name}'s offscreen document is not running` },
  );
  return target.webSocketDebuggerUrl!;
}

/**
 * Evaluates `expression` (plain JavaScript, awaited) in Chromium's offscreen document — the peer host with its
 * broker WebSocket and RTCPeerConnections. Playwright does not list offscreen documents, so this talks to
 * the document's own DevTools endpoint.
 */
export async function evaluateInOffscreen<T>(user: TestUser, expression: string): Promise<T> {
  const socket = new WebSocket(await offscreenDebuggerUrl(user));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const reply = new Promise<{ result?: { result?: { value?: unknown }; exceptionDetails?: { exception?: { description?: string }; text?: string } } }>(
      (resolve, reject) => {
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { id?: number };
          if (message.id === 1) resolve(message as never);
        });
        socket.once('close', () => reject(new Error(`${user.name}'s offscreen document closed its DevTools connection`)));
      },
    );
    socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, awaitPromise: true, returnByValue: true } }));
    const { result } = await reply;
    if (result?.exceptionDetails) {
      throw new Error(`in ${user.name}'s offscreen document: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`);
    }
    return result?.result?.value as T;
  } finally {
    socket.close();
  }
}

export interface SignallingFrame {
  type: string;
  src: string;
  /** `Date.now()` in the browser when the peer host read it. */
  at: number;
}

/**
 * Every PeerJS reads each broker frame as `MessageEvent.data`; this getter records the signalling ones
 * (OFFER, ANSWER, CANDIDATE — an ICE candidate of another peer can only arrive inside such a frame).
 */
const RECORD_SIGNALLING = `(() => {
  if (globalThis.__pwFrames) return true;
  const frames = [];
  globalThis.__pwFrames = frames;
  const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  const read = data.get;
  Object.defineProperty(MessageEvent.prototype, 'data', {
    ...data,
    get() {
      const value = read.call(this);
      if (this.target instanceof WebSocket && typeof value === 'string') {
        try {
          const frame = JSON.parse(value);
          if (frame.type === 'OFFER' || frame.type === 'ANSWER' || frame.type === 'CANDIDATE') {
            frames.push({ type: frame.type, src: String(frame.src), at: Date.now() });
          }
        } catch {}
      }
      return value;
    },
  });
  return true;
})()`;

/**
 * Records every signalling frame the broker hands to `user`'s peer host from now on; returns a reader of
 * the frames recorded since this call.
 */
export async function recordSignalling(user: TestUser): Promise<() => Promise<SignallingFrame[]>> {
  const mark = await evaluateInOffscreen<number>(user, `${RECORD_SIGNALLING} && globalThis.__pwFrames.length`);
  return async () => {
    const frames = await evaluateInOffscreen<SignallingFrame[] | null>(
      user,
      `globalThis.__pwFrames ? globalThis.__pwFrames.slice(${mark}) : null`,
    );
    // A reloaded document lost the recorder: "nothing recorded" would prove nothing.
    if (frames === null) throw new Error(`${user.name}'s offscreen document was reloaded while its signalling was recorded`);
    return frames;
  };
}

/** Saves a screenshot of one region (`Posts`, `Friends`) of a Chromium page, or of the whole page. */
export async function screenshotRegion(page: ExtensionPage, file: string, region?: 'Posts' | 'Friends'): Promise<void> {
  const playwright = chromiumPage(page);
  await playwright.bringToFront();
  if (region === 'Posts') await ensurePosts(page);
  if (region === 'Friends') await ensurePlace(page, 'Friends');
  if (region) await playwright.getByRole('region', { name: region, exact: true }).screenshot({ path: file, timeout: 10_000 });
  else await playwright.screenshot({ path: file, timeout: 10_000 });
}

/** Clicks the link **@handle** in the Friends list, which shows that friend's wall. */
export async function openWall(page: ExtensionPage, handle: string): Promise<void> {
  await ensurePlace(page, 'Friends');
  if (page instanceof ChromiumExtensionPage) {
    await listItemOf(page, handle, 'Friends').getByRole('link', { name: `@${handle}`, exact: true }).click({ timeout: 10_000 });
    return;
  }
  const firefox = (page as FirefoxExtensionPage).page;
  const link = await firefox.waitForSelector(`::-p-aria([name=${JSON.stringify(`@${handle}`)}][role="link"])`, { timeout: 10_000 });
  await link!.click();
}
