import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChromiumBrowser } from './chromium-browser';
import { ConsoleLog } from './console-log';
import type { BrowserKind, ExtensionBrowser, ExtensionPage } from './extension-page';
import { FirefoxBrowser } from './firefox-browser';

/** One person: a browser profile of their own that survives browser restarts. */
export class TestUser {
  readonly profileDir: string;
  /** Firefox assigns a random UUID per install; the suite pins one per profile so pages open by URL. */
  readonly firefoxUuid = randomUUID();
  private readonly log: ConsoleLog;
  private current: ExtensionBrowser | undefined;
  private launches = 0;

  constructor(
    readonly name: string,
    readonly kind: BrowserKind,
    private readonly artifactsDir: string,
    /** Chromium only: the build to load instead of the run's copy of `.output/chrome-mv3` (e.g. the faults build). */
    private readonly extensionDir?: string,
  ) {
    this.profileDir = mkdtempSync(path.join(tmpdir(), `peerwall-e2e-${name}-`));
    mkdirSync(artifactsDir, { recursive: true });
    this.log = new ConsoleLog(path.join(artifactsDir, `${name}-${kind}-console.log`));
  }

  get browser(): ExtensionBrowser {
    if (!this.current) throw new Error(`${this.name}'s browser is not running.`);
    return this.current;
  }

  /** The Chromium browser, for the Chromium-only parts of a scenario. */
  get chromium(): ChromiumBrowser {
    if (!(this.current instanceof ChromiumBrowser)) throw new Error(`${this.name} is not running Chromium.`);
    return this.current;
  }

  async launch(): Promise<void> {
    if (this.current) throw new Error(`${this.name}'s browser is already running.`);
    this.launches += 1;
    this.log.write('harness', `launch #${this.launches} of ${this.kind} on ${this.profileDir}`);
    this.current =
      this.kind === 'chromium'
        ? await ChromiumBrowser.launch(
            this.profileDir,
            this.log,
            path.join(this.artifactsDir, `${this.name}-chromium-stderr.log`),
            this.extensionDir,
          )
        : await FirefoxBrowser.launch(this.profileDir, this.firefoxUuid, this.log);
  }

  async quit(): Promise<void> {
    const browser = this.current;
    this.current = undefined;
    this.log.write('harness', 'quit');
    await browser?.close();
  }

  /** Kills the browser with SIGKILL (Chromium only), as a crash would; `launch()` starts it again on the same profile. */
  async kill(): Promise<void> {
    const browser = this.chromium;
    this.current = undefined;
    this.log.write('harness', 'SIGKILL');
    await browser.kill();
  }

  /** Quits the browser and starts it again on the same profile. */
  async restart(): Promise<void> {
    await this.quit();
    await this.launch();
  }

  openPopup(): Promise<ExtensionPage> {
    return this.browser.openExtensionPage('popup.html');
  }

  /** Chromium's side panel page; Firefox builds the same entrypoint as its sidebar page. */
  openSidePanel(): Promise<ExtensionPage> {
    return this.browser.openExtensionPage('sidepanel.html');
  }

  async dispose(): Promise<void> {
    await this.quit().catch(() => undefined);
    // A browser's last child process may still be writing into the profile just after it quit (ENOTEMPTY).
    rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
