import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';
import { inPage } from './in-page';
import { waitFor } from './wait';

export type ColorScheme = 'light' | 'dark';

/** `layout.css.prefers-color-scheme.content-override`: what web and extension pages see as the system scheme. */
const FIREFOX_OVERRIDE: Record<ColorScheme, number> = { dark: 0, light: 1 };

interface BidiConnection {
  send(method: string, params: object): Promise<{ result: { contexts?: Array<{ context: string }> } }>;
}

/**
 * Firefox over WebDriver BiDi cannot emulate `prefers-color-scheme` (puppeteer's emulateMediaFeatures is CDP
 * only), so the pref that overrides it is set in the browser's chrome window — BiDi may evaluate there because
 * the harness starts Firefox with `--remote-allow-system-access`. The pref applies to every page of that browser.
 */
async function setFirefoxScheme(page: FirefoxExtensionPage, scheme: ColorScheme): Promise<void> {
  const { connection } = page.page.browser() as unknown as { connection: BidiConnection };
  const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const chromeWindow = tree.result.contexts?.[0]?.context;
  if (!chromeWindow) throw new Error('Firefox lists no chrome window to set the colour scheme from');
  await connection.send('script.evaluate', {
    expression: `Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override', ${FIREFOX_OVERRIDE[scheme]})`,
    target: { context: chromeWindow },
    awaitPromise: false,
  });
}

/** Makes the page see `prefers-color-scheme: <scheme>` and waits until its media query says so. */
export async function useColorScheme(page: ExtensionPage, scheme: ColorScheme): Promise<void> {
  if (page instanceof ChromiumExtensionPage) await page.page.emulateMedia({ colorScheme: scheme });
  else await setFirefoxScheme(page as FirefoxExtensionPage, scheme);
  const query = `(prefers-color-scheme: ${scheme})`;
  await waitFor(async () => ((await inPage(page, (media: string) => matchMedia(media).matches, query)) ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 100,
    describe: () => `${page.kind} ${page.file} does not match ${query}`,
  });
}
