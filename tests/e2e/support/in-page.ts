import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';

/**
 * Runs `run(arg)` in the page, in Playwright (Chromium) or puppeteer (Firefox). `run` is serialized, so it
 * may use nothing from outside but `arg`; a string is evaluated as a script (e.g. a library's source).
 */
export async function inPage<A extends string | number | undefined, R>(
  page: ExtensionPage,
  run: ((arg: A) => R | Promise<R>) | string,
  arg?: A,
): Promise<R> {
  // Both libraries type the argument as the value after serialization; A is a plain string or number.
  const task = run as string | ((arg: unknown) => R | Promise<R>);
  if (page instanceof ChromiumExtensionPage) {
    return typeof task === 'string' ? ((await page.page.evaluate(task)) as R) : page.page.evaluate(task, arg);
  }
  const firefox = (page as FirefoxExtensionPage).page;
  return typeof task === 'string' ? ((await firefox.evaluate(task)) as R) : ((await firefox.evaluate(task, arg)) as R);
}

/**
 * Moves the pointer to the page's corner and blurs the focused element, as a person who just opened the page
 * sees it: the control clicked last keeps hover and focus otherwise (Like then shows who liked it).
 */
export async function restPointerAndFocus(page: ExtensionPage): Promise<void> {
  if (page instanceof ChromiumExtensionPage) await page.page.mouse.move(0, 0);
  else await (page as FirefoxExtensionPage).page.mouse.move(0, 0);
  await inPage(page, () => (document.activeElement as HTMLElement | null)?.blur());
}
