import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { assertBrowsersInstalled, chromiumPath, firefoxPath } from '../../e2e/support/browser-binaries';

/** A page in a real browser that runs one function of the page's bundle at a time. */
export interface BrowserPage {
  /** Calls `window.testPage[name](...args)` in the page; arguments and result are JSON. */
  call<T>(name: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

export type BrowserName = 'chromium' | 'firefox';

// Nothing may leave the machine: every request that is not to loopback goes to a closed local port.
const DEAD_PROXY = { host: '127.0.0.1', port: 9 };

const callInPage = ([name, args]: [string, unknown[]]): Promise<unknown> => {
  const api = (window as unknown as { testPage: Record<string, (...a: unknown[]) => Promise<unknown>> }).testPage;
  return api[name]!(...args);
};

async function openChromium(url: string): Promise<BrowserPage> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--proxy-server=http://${DEAD_PROXY.host}:${DEAD_PROXY.port}`],
  });
  const page = await browser.newPage();
  await page.goto(url);
  return {
    call: async <T>(name: string, ...args: unknown[]) => (await page.evaluate(callInPage, [name, args] as [string, unknown[]])) as T,
    close: () => browser.close(),
  };
}

async function openFirefox(url: string): Promise<BrowserPage> {
  const profile = mkdtempSync(path.join(tmpdir(), 'pw-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: {
      'network.proxy.type': 1,
      'network.proxy.http': DEAD_PROXY.host,
      'network.proxy.http_port': DEAD_PROXY.port,
      'network.proxy.ssl': DEAD_PROXY.host,
      'network.proxy.ssl_port': DEAD_PROXY.port,
      'network.proxy.no_proxies_on': '127.0.0.1',
      'network.proxy.allow_hijacking_localhost': false,
    },
  });
  const page = await browser.newPage();
  await page.goto(url);
  return {
    call: async <T>(name: string, ...args: unknown[]) => (await page.evaluate(callInPage, [name, args] as [string, unknown[]])) as T,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url` in Debian's Chromium or Firefox ESR; fails with the install hint when a browser is missing. */
export function openBrowserPage(name: BrowserName, url: string): Promise<BrowserPage> {
  assertBrowsersInstalled();
  return name === 'chromium' ? openChromium(url) : openFirefox(url);
}
