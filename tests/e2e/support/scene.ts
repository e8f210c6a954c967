import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { onTestFailed } from 'vitest';
import { BrokerProcess } from './broker';
import type { BrowserKind } from './extension-page';
import { ARTIFACTS_DIR } from './paths';
import { TestUser } from './test-user';

/**
 * Everything one scenario runs against: its own broker (fresh data) and users (fresh profiles), plus an
 * artifacts folder `test-artifacts/e2e/<scene>/` for screenshots and browser console logs.
 */
export class Scene {
  readonly artifactsDir: string;
  readonly broker: BrokerProcess;
  readonly users: TestUser[] = [];
  private shots = 0;

  constructor(name: string) {
    this.artifactsDir = path.join(ARTIFACTS_DIR, name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    rmSync(this.artifactsDir, { recursive: true, force: true });
    mkdirSync(this.artifactsDir, { recursive: true });
    this.broker = new BrokerProcess(path.join(this.artifactsDir, 'broker.log'));
  }

  /** Starts the broker, then a browser per user in parallel. */
  async start(users: ReadonlyArray<readonly [name: string, kind: BrowserKind]>): Promise<TestUser[]> {
    await this.broker.start();
    return this.launchUsers(users);
  }

  /** Launches a browser per user in parallel, for a scene that brings brokers of its own (`this.broker` stays unstarted). */
  async launchUsers(users: ReadonlyArray<readonly [name: string, kind: BrowserKind]>): Promise<TestUser[]> {
    const started = users.map(([name, kind]) => new TestUser(name, kind, this.artifactsDir));
    this.users.push(...started);
    // Wait for every launch to settle, so dispose() finds every browser that did start.
    const launches = await Promise.allSettled(started.map((user) => user.launch()));
    const failed = launches.find((launch) => launch.status === 'rejected');
    if (failed) throw failed.reason;
    return started;
  }

  /** Adds a user (a new profile) and launches their browser; Chromium loads `extensionDir` if given (see TestUser). */
  async addUser(name: string, kind: BrowserKind, extensionDir?: string): Promise<TestUser> {
    const user = new TestUser(name, kind, this.artifactsDir, extensionDir);
    this.users.push(user);
    await user.launch();
    return user;
  }

  /** Call first thing in a test: if it fails, every open page is screenshotted and the files are listed. */
  screenshotOnFailure(): void {
    onTestFailed(async () => {
      const files = await this.screenshotAll('failure');
      console.error(
        `Screenshots: ${files.join(', ') || 'none'}\nBrowser consoles and the broker log: ${this.artifactsDir}`,
      );
    });
  }

  /** Saves a screenshot of every extension page the harness has open; returns the files. */
  async screenshotAll(label: string): Promise<string[]> {
    const files: string[] = [];
    for (const user of this.users) {
      let pages;
      try {
        pages = user.browser.openPages();
      } catch {
        continue; // that user's browser is not running
      }
      for (const page of pages) {
        this.shots += 1;
        const file = path.join(
          this.artifactsDir,
          `${String(this.shots).padStart(2, '0')}-${label}-${user.name}-${page.file.replace('.html', '')}.png`,
        );
        try {
          await page.screenshot(file);
          files.push(file);
        } catch (error) {
          console.warn(`Could not save ${file}: ${String(error)}`);
        }
      }
    }
    return files;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.users.map((user) => user.dispose()));
    await this.broker.dispose();
  }
}
