import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { firefoxPath } from './browser-binaries';
import type { ConsoleLog } from './console-log';
import type { ExtensionBrowser, ExtensionPage } from './extension-page';
import { FirefoxExtensionPage } from './firefox-page';
import { extensionDirs } from './extension-dirs';
import { viewportFor } from './viewport';

function geckoId(extensionDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: unknown } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (typeof id !== 'string') throw new Error(`${extensionDir}/manifest.json has no browser_specific_settings.gecko.id.`);
  return id;
}

/**
 * Debian Firefox ESR under puppeteer-core (WebDriver BiDi) on a persistent profile.
 *
 * The extension is installed into the profile the way a sideloaded add-on is — an extension proxy file
 * `<profile>/extensions/<gecko id>` holding the build folder's path — rather than as a temporary add-on, so
 * it stays installed across browser restarts exactly like a real user's add-on (no second onInstalled, no
 * second welcome page). ESR honours `xpinstall.signatures.required = false` for the unsigned build.
 */
export class FirefoxBrowser implements ExtensionBrowser {
  readonly kind = 'firefox' as const;
  private readonly pages = new Set<FirefoxExtensionPage>();

  private constructor(
    private readonly browser: Browser,
    readonly extensionUuid: string,
    private readonly log: ConsoleLog,
  ) {}

  static async launch(profileDir: string, extensionUuid: string, log: ConsoleLog): Promise<FirefoxBrowser> {
    const extensionDir = extensionDirs().firefox;
    const id = geckoId(extensionDir);
    mkdirSync(path.join(profileDir, 'extensions'), { recursive: true });
    writeFileSync(path.join(profileDir, 'extensions', id), extensionDir);
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath(),
      headless: true,
      userDataDir: profileDir,
      // Lets BiDi drive moz-extension:// pages.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [id]: extensionUuid }),
        'xpinstall.signatures.required': false,
        'extensions.autoDisableScopes': 0,
        'extensions.enabledScopes': 15,
        // Host candidates must carry the namespace's real addresses, not mDNS names.
        'media.peerconnection.ice.obfuscate_host_addresses': false,
        'devtools.console.stdout.content': true,
        // No experiment downloads: the namespace has no way out, so they only fill the log with errors.
        'messaging-system.rsexperimentloader.enabled': false,
      },
    });
    // With devtools.console.stdout.content, Firefox prints every extension context's console — the
    // background page that hosts the peer included — to stdout.
    const output = browser.process();
    output?.stdout?.on('data', (chunk: Buffer) => log.write('firefox stdout', chunk.toString().trimEnd()));
    output?.stderr?.on('data', (chunk: Buffer) => log.write('firefox stderr', chunk.toString().trimEnd()));
    return new FirefoxBrowser(browser, extensionUuid, log);
  }

  async openExtensionPage(file: string): Promise<ExtensionPage> {
    const page = await this.browser.newPage();
    await page.setViewport(viewportFor(file));
    page.on('pageerror', (error) => this.log.write(`${file} pageerror`, String(error)));
    await page.goto(`moz-extension://${this.extensionUuid}/${file}`, { waitUntil: 'networkidle0' });
    const extensionPage = new FirefoxExtensionPage(page, file);
    this.pages.add(extensionPage);
    page.once('close', () => this.pages.delete(extensionPage));
    return extensionPage;
  }

  openPages(): ExtensionPage[] {
    return [...this.pages].filter((page) => !page.isClosed);
  }

  async closeExtensionTabs(): Promise<void> {
    for (const page of this.pages) await page.close();
    this.pages.clear();
    const pages = await this.browser.pages();
    for (const page of pages) {
      const url = await page.evaluate(() => location.href).catch(() => page.url());
      if (url.startsWith('moz-extension://')) await page.close();
    }
    if ((await this.browser.pages()).length === 0) await this.browser.newPage();
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.pages.clear();
  }
}
