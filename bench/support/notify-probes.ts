/**
 * What bench/notify-latency.ts reads from the browsers, all without touching Peerwall's code: every time is a
 * `Date.now()` of a process on this one machine, so times taken in different browsers compare.
 */
import type { Worker } from 'playwright-core';
import type { ChromiumExtensionPage } from '../../tests/e2e/support/chromium-page';
import { extensionWorker } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { sleep } from '../../tests/e2e/support/wait';
import { queryEntries } from './connected-pair';

type Chrome = {
  chrome: {
    runtime: { getURL(path: string): string };
    notifications: {
      getAll(): Promise<Record<string, unknown>>;
      clear(id: string): Promise<boolean>;
      create(id: string, options: object): Promise<string>;
    };
  };
};

/**
 * Records, in the page, when each click on a button named **Post** reaches the document (capture phase, so
 * before the composer's own handler); returns a reader of the clicks recorded so far.
 */
export async function recordPostClicks(page: ChromiumExtensionPage): Promise<() => Promise<number[]>> {
  await page.page.evaluate(() => {
    const clicks: number[] = [];
    (globalThis as unknown as { __benchClicks: number[] }).__benchClicks = clicks;
    document.addEventListener(
      'click',
      (event) => {
        const button = (event.target as Element | null)?.closest?.('button');
        if (button?.textContent?.trim() === 'Post') clicks.push(Date.now());
      },
      true,
    );
  });
  return () => page.page.evaluate(() => [...(globalThis as unknown as { __benchClicks: number[] }).__benchClicks]);
}

export interface PostNotification {
  postId: string;
  /** `Date.now()` in bob's background just before it called `notifications.create` (the id's last part). */
  at: number;
}

/** `peerwall-<post id>-<wall>-<ms>` (platform/background/notifier.ts). */
const POST_NOTIFICATION = /^peerwall-([0-9a-f]{64})-([a-z0-9_]{1,15})-(\d+)$/;

/**
 * Waits for the next notification of a post on `wall` in `user`'s browser and clears it, as a person
 * dismissing it would; null after `timeoutMs`. Polls `chrome.notifications.getAll` in the service worker
 * (the poll's interval does not enter the figure: the time comes from the notification's id).
 */
export async function nextPostNotification(user: TestUser, wall: string, timeoutMs: number): Promise<PostNotification | null> {
  const deadline = Date.now() + timeoutMs;
  let worker: Worker | undefined;
  while (Date.now() < deadline) {
    try {
      worker ??= await extensionWorker(user);
      const ids = await worker.evaluate(async () => Object.keys(await (globalThis as unknown as Chrome).chrome.notifications.getAll()));
      const found = ids.map((id) => POST_NOTIFICATION.exec(id)).find((match) => match?.[2] === wall);
      if (found) {
        await worker.evaluate((id) => (globalThis as unknown as Chrome).chrome.notifications.clear(id), found[0]);
        return { postId: found[1]!, at: Number(found[3]) };
      }
    } catch {
      worker = undefined; // the worker restarted: find the new one
    }
    await sleep(25);
  }
  return null;
}

/** How long `notifications.create` itself takes in `user`'s service worker: `count` probes, in ms. */
export async function notificationCreateTimes(user: TestUser, count: number): Promise<number[]> {
  const worker = await extensionWorker(user);
  return worker.evaluate(async (n) => {
    const { chrome } = globalThis as unknown as Chrome;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = `bench-probe-${i}`;
      const started = performance.now();
      await chrome.notifications.create(id, { type: 'basic', iconUrl: chrome.runtime.getURL('/icon/128.png'), title: 'Benchmark', message: 'probe' });
      times.push(performance.now() - started);
      await chrome.notifications.clear(id);
    }
    return times;
  }, count);
}

export interface EntryTimes {
  /** `Date.now()` in the author's peer host when it wrote the entry. */
  createdAt: number;
  /** `Date.now()` in the reader's peer host once the entry was verified, before it was stored (core/ingest.ts). */
  receivedAt: number;
}

/** The write and receive times of every entry of `wall` in `user`'s content database, by entry id. */
export async function entryTimes(user: TestUser, wall: string): Promise<Map<string, EntryTimes>> {
  const rows = await queryEntries<Array<[string, number, number]>>(user, wall, 'getAll', 'result.map((e) => [e.id, e.header.createdAt, e.receivedAt])');
  return new Map(rows.map(([id, createdAt, receivedAt]) => [id, { createdAt, receivedAt }]));
}
