/**
 * When the popup first shows something, read in the page itself: a MutationObserver installed before any of the
 * page's own scripts (Playwright's init script) notes `performance.now()` — milliseconds since the navigation
 * started — when the first post `article`, or the sign-in form's password field, is in the DOM, and again at the
 * next animation frame (when it is painted). It also notes `Date.now()` when an article with a given text
 * appears, which compares with times taken in the other processes of the machine.
 */
import type { Page } from 'playwright-core';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { viewportFor } from '../../tests/e2e/support/viewport';

export interface RenderMarks {
  /** The first `article` (a post) was in the DOM: ms since navigation start. */
  article: number | null;
  /** The animation frame after it. */
  articleFrame: number | null;
  /** The sign-in form's password field was in the DOM. */
  signIn: number | null;
  signInFrame: number | null;
  /** `Date.now()` when an article containing the watched text was in the DOM. */
  markedAt: number | null;
}

type Watched = { __benchMarks: RenderMarks };

/** Runs in the page before its scripts (serialised by Playwright: no closures). */
function watch({ mark }: { mark: string | null }): void {
  const marks: RenderMarks = { article: null, articleFrame: null, signIn: null, signInFrame: null, markedAt: null };
  (globalThis as unknown as Watched).__benchMarks = marks;
  const frameAfter = (key: 'articleFrame' | 'signInFrame') => requestAnimationFrame(() => (marks[key] = performance.now()));
  const check = (): void => {
    if (marks.article === null && document.querySelector('article')) {
      marks.article = performance.now();
      frameAfter('articleFrame');
    }
    if (marks.signIn === null && document.querySelector('input[type="password"]')) {
      marks.signIn = performance.now();
      frameAfter('signInFrame');
    }
    if (mark !== null && marks.markedAt === null) {
      for (const article of document.querySelectorAll('article')) {
        if (article.textContent?.includes(mark)) {
          marks.markedAt = Date.now();
          break;
        }
      }
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Opens `user`'s popup as a new tab with the watcher installed; `mark` is the text whose article is timed. */
export async function openWatchedPopup(user: TestUser, mark: string | null = null): Promise<Page> {
  const context = await user.chromium.attach();
  const page = await context.newPage();
  await page.setViewportSize(viewportFor('popup.html'));
  await page.addInitScript(watch, { mark });
  await page.goto(`chrome-extension://${user.chromium.extensionId}/popup.html`);
  return page;
}

export const readMarks = (page: Page): Promise<RenderMarks> => page.evaluate(() => ({ ...(globalThis as unknown as Watched).__benchMarks }));

/**
 * Opens the popup once and answers when `what` first rendered (in the DOM, and the frame after), in ms since
 * navigation start; closes the page. The frame is null if none came within 2 s.
 */
export async function firstRender(user: TestUser, what: 'article' | 'signIn', timeoutMs = 30_000): Promise<{ inDom: number; frame: number | null }> {
  const page = await openWatchedPopup(user);
  try {
    const marked = (key: keyof RenderMarks) => (globalThis as unknown as Watched).__benchMarks[key] !== null;
    await page.waitForFunction(marked, what, { timeout: timeoutMs, polling: 100 });
    const frameKey: keyof RenderMarks = what === 'article' ? 'articleFrame' : 'signInFrame';
    await page.waitForFunction(marked, frameKey, { timeout: 2_000, polling: 100 }).catch(() => undefined);
    const marks = await readMarks(page);
    return { inDom: marks[what]!, frame: marks[frameKey] };
  } finally {
    await page.close();
  }
}
