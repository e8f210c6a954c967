import type { Locator } from 'playwright-core';
import type { ElementHandle } from 'puppeteer-core';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';

/** The roles scenarios look for inside a page. */
export type NodeRole = 'alertdialog' | 'article' | 'button' | 'link' | 'list' | 'listitem' | 'region';

/**
 * One element found by its role and accessible name, driven the same way in both browsers: a Playwright
 * locator in Chromium, an element handle found through Firefox's accessibility tree (`::-p-aria`) in Firefox.
 * `ExtensionPage` finds a control on the whole page; this finds it inside one post, comment or dialog.
 */
export interface PageNode {
  /** Visible descendants with `role` — named exactly `name`, and whose text contains `text`, when given. */
  all(role: NodeRole, options?: { name?: string; text?: string }): Promise<PageNode[]>;
  /** Visible form fields (input, textarea, select) labelled exactly `label`. */
  fields(label: string): Promise<PageNode[]>;
  /** The element's visible text. */
  text(): Promise<string>;
  /** Runs `read` on the element in the page; it is serialized, so it may use nothing from outside. */
  evaluate<R>(read: (element: HTMLElement) => R): Promise<R>;
  click(): Promise<void>;
  /** Replaces the field's value with `value`, as typing would. */
  fill(value: string): Promise<void>;
}

/** Actions on a found element give up after this long (it was visible a moment ago). */
const ACTION_MS = 5_000;

class LocatorNode implements PageNode {
  constructor(private readonly locator: Locator) {}

  all(role: NodeRole, options: { name?: string; text?: string } = {}): Promise<PageNode[]> {
    let found = this.locator.getByRole(role, options.name === undefined ? {} : { name: options.name, exact: true });
    // Filtering by text (not by position) keeps the locator on the same element when others come and go.
    if (options.text !== undefined) found = found.filter({ hasText: options.text });
    return LocatorNode.visible(found);
  }

  async fields(label: string): Promise<PageNode[]> {
    return LocatorNode.visible(this.locator.getByLabel(label, { exact: true }).and(this.locator.page().locator('input, textarea, select')));
  }

  private static async visible(found: Locator): Promise<PageNode[]> {
    const shown = await found.evaluateAll((elements) => elements.map((element) => element.checkVisibility()));
    return shown.flatMap((isShown, index) => (isShown ? [new LocatorNode(found.nth(index))] : []));
  }

  text(): Promise<string> {
    return this.locator.innerText({ timeout: ACTION_MS });
  }

  evaluate<R>(read: (element: HTMLElement) => R): Promise<R> {
    return this.locator.evaluate(read, undefined, { timeout: ACTION_MS });
  }

  click(): Promise<void> {
    return this.locator.click({ timeout: ACTION_MS });
  }

  fill(value: string): Promise<void> {
    return this.locator.fill(value, { timeout: ACTION_MS });
  }
}

class HandleNode implements PageNode {
  constructor(private readonly handle: ElementHandle<Element>) {}

  async all(role: NodeRole, options: { name?: string; text?: string } = {}): Promise<PageNode[]> {
    const name = options.name === undefined ? '' : `[name=${JSON.stringify(options.name)}]`;
    const found = await this.handle.$$(`::-p-aria(${name}[role=${JSON.stringify(role)}])`);
    const kept: PageNode[] = [];
    for (const element of found) {
      const keep = await element.evaluate(
        (node, text) => node.checkVisibility() && (text === null || (node as HTMLElement).innerText.includes(text)),
        options.text ?? null,
      );
      if (keep) kept.push(new HandleNode(element));
    }
    return kept;
  }

  async fields(label: string): Promise<PageNode[]> {
    // Firefox's accessibility locator finds a `<label>` as well as its control by the name (see firefox-page.ts).
    const found = await this.handle.$$(`::-p-aria([name=${JSON.stringify(label)}])`);
    const kept: PageNode[] = [];
    for (const element of found) {
      if (await element.evaluate((node) => node.matches('input, textarea, select') && node.checkVisibility())) kept.push(new HandleNode(element));
    }
    return kept;
  }

  text(): Promise<string> {
    return this.handle.evaluate((node) => (node as HTMLElement).innerText);
  }

  evaluate<R>(read: (element: HTMLElement) => R): Promise<R> {
    return this.handle.evaluate(read as unknown as (element: Element) => R) as Promise<R>;
  }

  async click(): Promise<void> {
    await this.handle.click();
  }

  async fill(value: string): Promise<void> {
    await this.handle.asLocator().setTimeout(ACTION_MS).fill(value);
  }
}

/** The page's `<body>`, to look for posts and controls in. */
export async function pageRoot(page: ExtensionPage): Promise<PageNode> {
  if (page instanceof ChromiumExtensionPage) return new LocatorNode(page.page.locator('body'));
  const body = await (page as FirefoxExtensionPage).page.$('body');
  if (!body) throw new Error(`${page.kind} ${page.file} has no <body>`);
  return new HandleNode(body);
}
