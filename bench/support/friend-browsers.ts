import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../../tests/e2e/support/browser-binaries';
import type { ConsoleLog } from '../../tests/e2e/support/console-log';
import { bundleScript } from './friend-bundle';
import type { FriendPageApi } from './friend-page';
import type { FriendReport, FriendSpec, HostSpec } from './simulated-friend';

/**
 * Chromium caps RTCPeerConnections at 500 per renderer process and WebSockets at 255 per renderer (both
 * measured on this machine's Chromium, see the README's footprint section), and each simulated friend holds one
 * of each: so at most FRIENDS_PER_PAGE friends share a page (a tab of its own, its own renderer process), and
 * at most FRIENDS_PER_BROWSER a helper browser.
 */
export const FRIENDS_PER_PAGE = 125;
export const FRIENDS_PER_BROWSER = 250;

const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // Host candidates must carry the namespace's real addresses, as for the browsers of the e2e harness.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

declare global {
  // The page script's global, as friend-page.ts sets it (a global declaration needs `var`).
  var peerwallFriends: FriendPageApi | undefined;
}

/** Serves the helper page and its bundled script on 127.0.0.1 (a secure context, so WebCrypto's Ed25519 is there). */
async function servePage(script: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/friends.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Simulated friends</title><script src="/friends.js"></script>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Helper Chromiums whose plain pages run simulated friends (friend-page.ts), as many pages and browsers as needed. */
export class FriendBrowsers {
  private readonly browsers: Browser[] = [];
  private readonly pages: Page[] = [];
  private started = 0;

  private constructor(
    private readonly server: Server,
    private readonly log: ConsoleLog,
  ) {}

  static async start(log: ConsoleLog): Promise<FriendBrowsers> {
    return new FriendBrowsers(await servePage(await bundleScript('friend-page.ts')), log);
  }

  private get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  private async browserFor(index: number): Promise<Browser> {
    const which = Math.floor(index / FRIENDS_PER_BROWSER);
    while (this.browsers.length <= which) {
      this.browsers.push(await chromium.launch({ executablePath: chromiumPath(), args: FLAGS, headless: true }));
    }
    return this.browsers[which]!;
  }

  private async newPage(index: number): Promise<Page> {
    const browser = await this.browserFor(index);
    const page = await browser.newPage();
    const label = `friends page ${this.pages.length + 1}`;
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') this.log.write(`${label} ${message.type()}`, message.text());
    });
    page.on('pageerror', (error) => this.log.write(`${label} pageerror`, String(error)));
    await page.goto(this.url);
    await page.waitForFunction(() => globalThis.peerwallFriends !== undefined);
    this.pages.push(page);
    return page;
  }

  /** Starts `friends`, filling pages of FRIENDS_PER_PAGE in order; resolves once every one's peer is made. */
  async add(friends: readonly FriendSpec[], host: HostSpec): Promise<void> {
    const batches: Array<Promise<number>> = [];
    for (let i = 0; i < friends.length; ) {
      const index = this.started + i;
      const room = FRIENDS_PER_PAGE - (index % FRIENDS_PER_PAGE);
      const slice = friends.slice(i, i + room);
      const page = index % FRIENDS_PER_PAGE === 0 ? await this.newPage(index) : this.pages.at(-1)!;
      batches.push(page.evaluate(([specs, hostSpec]) => globalThis.peerwallFriends!.start(specs, hostSpec), [slice, host] as const));
      i += slice.length;
    }
    await Promise.all(batches);
    this.started += friends.length;
  }

  /** Every simulated friend's report, in the order they were started. */
  async reports(): Promise<FriendReport[]> {
    const all = await Promise.all(this.pages.map((page) => page.evaluate(() => globalThis.peerwallFriends!.reports())));
    return all.flat();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.browsers.map((browser) => browser.close().catch(() => undefined)));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
