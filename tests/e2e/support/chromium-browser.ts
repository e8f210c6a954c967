import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { chromiumPath } from './browser-binaries';
import type { ConsoleLog } from './console-log';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionBrowser, ExtensionPage } from './extension-page';
import { extensionDirs } from './extension-dirs';
import { OffscreenConsole } from './offscreen-console';
import { viewportFor } from './viewport';
import { sleep, waitFor } from './wait';

const CHROMIUM_FLAGS = [
  '--headless=new', // runs extensions, service workers and offscreen documents (the default headless mode since 132)
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--password-store=basic',
  // Host candidates must carry the namespace's real addresses, not mDNS names nobody here can resolve.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/**
 * Chromium derives an unpacked extension's id from the manifest `key`, or else from the folder's real path:
 * the first 32 hex digits of a SHA-256, written with the letters a–p.
 */
export function unpackedExtensionId(extensionDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8')) as { key?: unknown };
  const input = typeof manifest.key === 'string' ? Buffer.from(manifest.key, 'base64') : Buffer.from(realpathSync(extensionDir));
  const hex = createHash('sha256').update(input).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

interface Connection {
  browser: Browser;
  context: BrowserContext;
}

interface DevToolsTarget {
  type: string;
  url: string;
}

/**
 * A Debian Chromium process with the built MV3 extension, on a persistent profile.
 *
 * Chromium is started as a plain process with a DevTools port, and Playwright connects over CDP. The
 * connection can be dropped and re-made (`detach`/`attach`): while any DevTools client is attached to the
 * extension's service worker, Chromium never lets it go idle, so scenario 5 detaches to let it sleep and
 * reads the running targets from the DevTools HTTP endpoint, which attaches to nothing.
 */
export class ChromiumBrowser implements ExtensionBrowser {
  readonly kind = 'chromium' as const;
  readonly extensionId: string;
  private connection: Connection | undefined;
  private readonly pages = new Set<ChromiumExtensionPage>();
  private readonly offscreenConsole: OffscreenConsole;

  private constructor(
    private readonly child: ChildProcess,
    private readonly debuggingPort: number,
    private readonly log: ConsoleLog,
    extensionDir: string,
  ) {
    this.extensionId = unpackedExtensionId(extensionDir);
    this.offscreenConsole = new OffscreenConsole(debuggingPort, `chrome-extension://${this.extensionId}/offscreen.html`, log);
  }

  /** `extensionDir`: the build to load, the run's copy of `.output/chrome-mv3` unless a scenario brings another. */
  static async launch(profileDir: string, log: ConsoleLog, stderrFile: string, extensionDir = extensionDirs().chrome): Promise<ChromiumBrowser> {
    const portFile = path.join(profileDir, 'DevToolsActivePort');
    rmSync(portFile, { force: true });
    const stderr = openSync(stderrFile, 'a');
    const child = spawn(
      chromiumPath(),
      [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profileDir}`,
        '--remote-debugging-address=127.0.0.1',
        '--remote-debugging-port=0',
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        'about:blank',
      ],
      { stdio: ['ignore', stderr, stderr] },
    );
    closeSync(stderr);
    try {
      const port = await waitFor(
        async () => {
          if (child.exitCode !== null) {
            throw new Error(`Chromium exited at start (code ${child.exitCode}); see ${stderrFile}`);
          }
          if (!existsSync(portFile)) return undefined;
          const port = Number(readFileSync(portFile, 'utf8').split('\n')[0]);
          return port > 0 ? port : undefined;
        },
        { timeoutMs: 30_000, describe: () => `Chromium did not open its DevTools port; see ${stderrFile}` },
      );
      const browser = new ChromiumBrowser(child, port, log, extensionDir);
      await browser.attach();
      await browser.waitForExtension();
      return browser;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Waits for the extension's service worker and checks the derived id against its URL. */
  private async waitForExtension(): Promise<void> {
    const context = this.requireContext();
    // --disable-extensions-except leaves ours as the only extension that can run a worker.
    const isExtensionWorker = (worker: Worker): boolean => worker.url().startsWith('chrome-extension://');
    const worker =
      context.serviceWorkers().find(isExtensionWorker) ??
      (await context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: 15_000 }).catch(() => undefined));
    if (!worker) {
      // The worker starts on install and on browser start when the extension listens for those events.
      this.log.write('harness', `no service worker of extension ${this.extensionId} started within 15 s`);
      return;
    }
    const runningId = new URL(worker.url()).host;
    if (runningId !== this.extensionId) {
      throw new Error(`The extension runs as ${runningId}, but the harness derived the id ${this.extensionId}.`);
    }
  }

  async attach(): Promise<BrowserContext> {
    if (this.connection) return this.connection.context;
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${this.debuggingPort}`);
    const context = browser.contexts()[0];
    if (!context) throw new Error('Chromium has no default browser context.');
    this.connection = { browser, context };
    const watchWorker = (worker: Worker): void => {
      this.log.write('service worker', `started ${worker.url()}`);
      worker.on('console', (message) => this.log.write(`worker ${message.type()}`, message.text()));
      worker.on('close', () => this.log.write('service worker', `stopped ${worker.url()}`));
    };
    context.serviceWorkers().forEach(watchWorker);
    context.on('serviceworker', watchWorker);
    const watchPage = (page: Page): void => {
      page.on('console', (message) => this.log.write(`${shortUrl(page.url())} ${message.type()}`, message.text()));
      page.on('pageerror', (error) => this.log.write(`${shortUrl(page.url())} pageerror`, String(error)));
    };
    context.pages().forEach(watchPage);
    context.on('page', watchPage);
    // Playwright lists no offscreen document (the peer host); its console is read over its own DevTools endpoint.
    this.offscreenConsole.start();
    return context;
  }

  /** Closes the pages this harness opened and disconnects Playwright, leaving Chromium running. */
  async detach(): Promise<void> {
    await this.closeExtensionTabs();
    this.offscreenConsole.stop();
    const connection = this.connection;
    this.connection = undefined;
    this.pages.clear();
    await connection?.browser.close();
  }

  get attached(): boolean {
    return this.connection !== undefined;
  }

  /** Running DevTools targets (pages, service workers, offscreen documents), read without attaching to any. */
  async runningTargets(): Promise<DevToolsTarget[]> {
    const response = await fetch(`http://127.0.0.1:${this.debuggingPort}/json/list`);
    const list = (await response.json()) as unknown;
    if (!Array.isArray(list)) throw new Error('Chromium returned an unexpected DevTools target list.');
    return list.map((entry: { type?: unknown; url?: unknown }) => ({ type: String(entry.type), url: String(entry.url) }));
  }

  private requireContext(): BrowserContext {
    if (!this.connection) throw new Error('Playwright is not attached to this Chromium; call attach() first.');
    return this.connection.context;
  }

  async openExtensionPage(file: string): Promise<ExtensionPage> {
    const context = await this.attach();
    const page = await context.newPage();
    await page.setViewportSize(viewportFor(file));
    await page.goto(`chrome-extension://${this.extensionId}/${file}`);
    const extensionPage = new ChromiumExtensionPage(page, file);
    this.pages.add(extensionPage);
    page.once('close', () => this.pages.delete(extensionPage));
    return extensionPage;
  }

  openPages(): ExtensionPage[] {
    return [...this.pages].filter((page) => !page.page.isClosed());
  }

  async closeExtensionTabs(): Promise<void> {
    const context = this.connection?.context;
    if (!context) return;
    this.pages.clear();
    const pages = context.pages();
    if (pages.every((page) => page.url().startsWith('chrome-extension://'))) await context.newPage();
    for (const page of pages) {
      if (page.url().startsWith('chrome-extension://')) await page.close();
    }
  }

  /** Kills Chromium with SIGKILL, as a crash or a power cut would: nothing in it gets to write anything more. */
  async kill(): Promise<void> {
    this.offscreenConsole.stop();
    const exited = this.child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
    const connection = this.connection;
    this.connection = undefined;
    this.pages.clear();
    await connection?.browser.close().catch(() => undefined);
  }

  /** Quits Chromium the way a person does (Browser.close), so the profile is written out. */
  async close(): Promise<void> {
    this.offscreenConsole.stop();
    const exited = this.child.exitCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      const context = await this.attach();
      const session = await context.browser()?.newBrowserCDPSession();
      await session?.send('Browser.close').catch(() => undefined);
    } catch {
      this.child.kill('SIGTERM');
    }
    const killed = await Promise.race([exited.then(() => false), sleep(15_000).then(() => true)]);
    if (killed) {
      this.log.write('harness', 'Chromium did not quit within 15 s; killing it');
      this.child.kill('SIGKILL');
      await exited;
    }
    this.offscreenConsole.stop(); // close() attached again to send Browser.close
    this.connection = undefined;
    this.pages.clear();
  }
}

function shortUrl(url: string): string {
  return url.replace(/^chrome-extension:\/\/[a-p]{32}\//, '');
}
