import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';
import { inPage } from './in-page';
import { waitFor } from './wait';

/**
 * Firefox's sidebar as another Peerwall page of the same window reads it. WebDriver BiDi cannot see into the
 * sidebar (it is no browsing context of BiDi's tree), but Peerwall's pages share one extension process, so
 * `extension.getViews({ type: 'sidebar' })` hands this page the sidebar's own document to read.
 */
export interface SidebarReading {
  /** `sidebarAction.isOpen({})`: whether the window's sidebar is open and showing Peerwall. */
  open: boolean;
  /** `sidebarAction.getPanel({})`: the file Peerwall's sidebar shows, e.g. `sidepanel.html`. */
  panel: string;
  /** The files of the Peerwall pages loaded in a sidebar. */
  pages: string[];
  /** The visible text of each `status` of the first of them (the connection, e.g. **Online**). */
  statusTexts: string[];
  /** Whether the first of them offers **Add photos** (a file field of that name). */
  offersAddPhotos: boolean;
}

interface FirefoxPageApi {
  sidebarAction: { isOpen(details: object): Promise<boolean>; getPanel(details: object): Promise<string>; open(): Promise<void> };
  extension: { getViews(filter: { type: 'sidebar' }): Window[] };
}

export function readSidebar(observer: ExtensionPage): Promise<SidebarReading> {
  return inPage(observer, async () => {
    const api = (globalThis as unknown as { browser: FirefoxPageApi }).browser;
    const fileOf = (href: string) => new URL(href).pathname.slice(1);
    const views = api.extension.getViews({ type: 'sidebar' });
    const shown = views[0]?.document;
    const statuses = shown ? [...shown.querySelectorAll<HTMLElement>('[role="status"]')] : [];
    const pickers = shown ? [...shown.querySelectorAll<HTMLInputElement>('input[type="file"]')] : [];
    return {
      open: await api.sidebarAction.isOpen({}),
      panel: fileOf(await api.sidebarAction.getPanel({})),
      pages: views.map((view) => fileOf(view.location.href)),
      statusTexts: statuses.map((status) => status.innerText.trim()),
      offersAddPhotos: pickers.some((input) => input.labels?.[0]?.textContent?.trim() === 'Add photos' && input.checkVisibility()),
    };
  });
}

/**
 * Calls `sidebarAction.open()` from `page` outside any click; resolves with Firefox's refusal, or 'opened'.
 * Firefox opens the sidebar only from a user gesture, so this shows that a click which did open it was one.
 */
export function openSidebarWithoutGesture(page: ExtensionPage): Promise<string> {
  return inPage(page, () =>
    (globalThis as unknown as { browser: FirefoxPageApi }).browser.sidebarAction.open().then(
      () => 'opened',
      (error: Error) => error.message,
    ),
  );
}

/**
 * Waits until `page` (a popup, which the harness shows as a tab) has closed itself; fails at once if it shows an
 * `alert` instead, with its words.
 */
export async function waitForPageToClose(page: FirefoxExtensionPage, timeoutMs: number): Promise<void> {
  let alerts: string[] = [];
  await waitFor(
    async () => {
      if (await page.isGone()) return true;
      alerts = await inPage(page, () => [...document.querySelectorAll<HTMLElement>('[role="alert"]')].map((alert) => alert.innerText.trim())).catch(() => []);
      if (alerts.some((alert) => alert !== '')) throw new Error(`${page.file} showed "${alerts.join(' ')}" instead of closing`);
      return undefined;
    },
    { timeoutMs, describe: () => `${page.file} is still open` },
  );
}
