import type { Page } from 'playwright-core';
import type { ExtensionPage, ExtensionRequest } from './extension-page';

/** An extension page in Chromium, found by Playwright's label and role locators. */
export class ChromiumExtensionPage implements ExtensionPage {
  readonly kind = 'chromium' as const;

  constructor(
    readonly page: Page,
    readonly file: string,
  ) {}

  async fill(label: string, value: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  async click(name: string): Promise<void> {
    await this.page.getByRole('button', { name, exact: true }).click();
  }

  async openDetails(summary: string): Promise<void> {
    // A summary has no ARIA role in Playwright's role engine, so it is found by its own text.
    const section = this.page.locator('details').filter({ has: this.page.locator('summary', { hasText: summary }) }).first();
    if (!(await section.evaluate((element) => (element as HTMLDetailsElement).open))) {
      await section.locator('summary').first().click();
    }
  }

  async hasField(label: string): Promise<boolean> {
    return this.page.getByLabel(label, { exact: true }).first().isVisible();
  }

  async hasButton(name: string): Promise<boolean> {
    return this.page.getByRole('button', { name, exact: true }).first().isVisible();
  }

  async statusTexts(): Promise<string[]> {
    const texts = await this.page.getByRole('status').allInnerTexts();
    return texts.map((text) => text.trim());
  }

  async visibleText(): Promise<string> {
    return this.page.locator('body').innerText();
  }

  async sendMessage(request: ExtensionRequest): Promise<unknown> {
    // WXT pages see `chrome.*` in Chromium, not a global `browser`.
    return this.page.evaluate(async (message) => {
      const { chrome } = globalThis as unknown as {
        chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
      };
      return chrome.runtime.sendMessage(message);
    }, request);
  }

  async screenshot(file: string): Promise<void> {
    // Headless Chromium paints only the active tab; a background tab's screenshot never completes.
    await this.page.bringToFront();
    await this.page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
  }

  async close(): Promise<void> {
    if (!this.page.isClosed()) await this.page.close();
  }
}
