import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveTestPage, type TestPage } from '../../browser/support/test-page';
import { chromiumPath } from './browser-binaries';
import { ConsoleLog } from './console-log';
import type { Cheat, SessionReport } from './hostile-page';

export type { Cheat, SessionReport };

/**
 * mallory: a plain page on 127.0.0.1 in a Chromium of her own, running PeerJS and our `core/` encoders
 * (`hostile-page.ts`, bundled by esbuild) — a friend with a modified client. Her page logs to
 * `mallory-page-console.log` in the scene's artifacts.
 */
export class HostileFriend {
  private constructor(
    private readonly server: TestPage,
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async open(artifactsDir: string): Promise<HostileFriend> {
    const server = await serveTestPage(new URL('./hostile-page.ts', import.meta.url).pathname);
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // Host candidates must carry the namespace's real addresses, as for the extension's Chromium.
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-features=WebRtcHideLocalIpsWithMdns'],
    });
    const page = await browser.newPage();
    const log = new ConsoleLog(path.join(artifactsDir, 'mallory-page-console.log'));
    page.on('console', (message) => log.write(`page ${message.type()}`, message.text()));
    page.on('pageerror', (error) => log.write('page pageerror', error.message));
    await page.goto(server.url);
    return new HostileFriend(server, browser, page);
  }

  private call<T>(name: string, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(
      ([fn, params]) => (window as unknown as { testPage: Record<string, (...a: unknown[]) => Promise<unknown>> }).testPage[fn]!(...params),
      [name, args] as [string, unknown[]],
    ) as Promise<T>;
  }

  /** Her honest posts, written on her wall in the page; returns their entry ids in wall order. */
  setup(options: { brokerUrl: string; token: string; secretKeyHex: string; posts: string[] }): Promise<string[]> {
    return this.call('setup', options);
  }

  /** One session with alice (a new broker session of mallory's, which alice dials), in which she cheats one way. */
  session(cheat: Cheat): Promise<SessionReport> {
    return this.call('session', cheat);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }
}
