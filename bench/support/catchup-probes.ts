/**
 * What bench/browser.ts does and reads in the browsers besides the UI: alice's posts written through
 * `host:post`, the entries a content database holds, and a friend's connection log (`host:connection-log`).
 */
import type { ConnectionEvent } from '../../platform/social/connection-log';
import type { ChromiumExtensionPage } from '../../tests/e2e/support/chromium-page';
import type { ExtensionPage } from '../../tests/e2e/support/extension-page';
import { request } from '../../tests/e2e/support/flows';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { queryEntries } from './connected-pair';

/** Characters per post, as in the issue. */
export const POST_CHARS = 300;
/** `host:post` requests in flight at once: the peer host takes them one at a time; this keeps it busy. */
const IN_FLIGHT = 4;

const FILLER = 'Back from a week away, bob reads what alice wrote while he was gone: walks, books, the weather and more. ';

/** The text of post `i` (1-based) of `total`: its number first, padded to POST_CHARS characters. */
export function postText(i: number, total: number): string {
  const head = `Catch-up post #${i} of ${total}. `;
  return (head + FILLER.repeat(Math.ceil(POST_CHARS / FILLER.length))).slice(0, POST_CHARS);
}

/** The mark that is in post `i`'s text and in no other's. */
export const postMark = (i: number, total: number): string => `Catch-up post #${i} of ${total}.`;

/**
 * Writes posts `from`..`to` (1-based, inclusive) of `total` through `host:post` from `page` (an extension page of
 * the author), IN_FLIGHT requests at a time, in order; returns the milliseconds it took, measured in the page.
 */
export async function writePosts(page: ChromiumExtensionPage, from: number, to: number, total: number): Promise<number> {
  const texts = Array.from({ length: to - from + 1 }, (_, k) => postText(from + k, total));
  return page.page.evaluate(
    async ({ texts, inFlight }) => {
      const { chrome } = globalThis as unknown as { chrome: { runtime: { sendMessage(message: unknown): Promise<{ ok: boolean; error?: { message?: string } }> } } };
      const started = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < texts.length) {
          const text = texts[next++]!;
          const answer = await chrome.runtime.sendMessage({ type: 'host:post', payload: { text } });
          if (!answer?.ok) throw new Error(`host:post failed: ${answer?.error?.message ?? JSON.stringify(answer)}`);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      return performance.now() - started;
    },
    { texts, inFlight: IN_FLIGHT },
  );
}

/** How many entries of `wall` `user`'s content database holds (read in the offscreen document). */
export const entryCount = (user: TestUser, wall: string): Promise<number> => queryEntries<number>(user, wall, 'count');

/** What `page`'s peer host logged about its connections to `friend` (the "Connection details"). */
export async function connectionLog(page: ExtensionPage, friend: string): Promise<ConnectionEvent[]> {
  return (await request(page, 'host:connection-log', { handle: friend })) as ConnectionEvent[];
}
