import type { ElementHandle, Page } from 'puppeteer-core';
import type { ExtensionPage, ExtensionRequest } from './extension-page';
import { waitFor } from './wait';

/** CSS-style string literal for a `::-p-aria([name="…"])` selector. */
function ariaName(name: string): string {
  return JSON.stringify(name);
}

/** An extension page in Firefox, found through Firefox's accessibility tree (`::-p-aria(...)`). */
export class FirefoxExtensionPage implements ExtensionPage {
  readonly kind = 'firefox' as const;
  private gone = false;

  constructor(
    readonly page: Page,
    readonly file: string,
  ) {}

  /**
   * Firefox's accessibility locator finds both a `<label>` and its control by the name; the control is the
   * one a person types into. (Password fields have no `textbox` role there, so the role cannot narrow it.)
   */
  private async field(label: string): Promise<ElementHandle | undefined> {
    const candidates = await this.page.$$(`::-p-aria([name=${ariaName(label)}])`);
    for (const candidate of candidates) {
      const isField = await candidate.evaluate(
        (element) => element.matches('input, textarea, select') && element.checkVisibility(),
      );
      if (isField) return candidate as ElementHandle;
    }
    return undefined;
  }

  async fill(label: string, value: string): Promise<void> {
    const field = await waitFor(() => this.field(label), {
      timeoutMs: 10_000,
      describe: () => `no visible field labelled "${label}" on ${this.file}`,
    });
    await field.asLocator().fill(value);
  }

  async click(name: string): Promise<void> {
    await this.page
      .locator(`::-p-aria([name=${ariaName(name)}][role="button"])`)
      .setTimeout(10_000)
      .click();
  }

  async openDetails(summary: string): Promise<void> {
    const found = await waitFor(
      async () => {
        for (const element of await this.page.$$('details > summary')) {
          const text = await element.evaluate((node) => node.textContent?.trim());
          if (text === summary) return element;
        }
        return undefined;
      },
      { timeoutMs: 10_000, describe: () => `no section "${summary}" on ${this.file}` },
    );
    const open = await found.evaluate((node) => (node.parentElement as HTMLDetailsElement).open);
    if (!open) await found.click();
  }

  async hasField(label: string): Promise<boolean> {
    return (await this.field(label)) !== undefined;
  }

  async hasButton(name: string): Promise<boolean> {
    const buttons = await this.page.$$(`::-p-aria([name=${ariaName(name)}][role="button"])`);
    for (const button of buttons) {
      if (await button.evaluate((element) => element.checkVisibility())) return true;
    }
    return false;
  }

  async statusTexts(): Promise<string[]> {
    const elements = await this.page.$$('::-p-aria([role="status"])');
    return Promise.all(elements.map((element) => element.evaluate((node) => (node as HTMLElement).innerText.trim())));
  }

  async visibleText(): Promise<string> {
    return this.page.evaluate(() => document.body.innerText);
  }

  async sendMessage(request: ExtensionRequest): Promise<unknown> {
    return this.page.evaluate(async (message) => {
      const { browser } = globalThis as unknown as {
        browser: { runtime: { sendMessage(message: unknown): Promise<unknown> } };
      };
      return browser.runtime.sendMessage(message);
    }, request);
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file as `${string}.png`, fullPage: true });
  }

  /** Whether the page is closed, by the harness or by itself (`window.close()`). */
  get isClosed(): boolean {
    return this.gone || this.page.isClosed();
  }

  /**
   * Asks Firefox whether the page is gone. A tab an extension page closes with `window.close()` leaves WebDriver
   * BiDi's tree without puppeteer hearing of it, so only a command to it tells: "no such frame".
   */
  async isGone(): Promise<boolean> {
    if (this.isClosed) return true;
    try {
      await this.page.evaluate(() => 0);
      return false;
    } catch (error) {
      if (!/no such frame/i.test(String(error))) throw error;
      this.gone = true;
      return true;
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) await this.page.close();
  }
}
