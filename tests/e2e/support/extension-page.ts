export type BrowserKind = 'chromium' | 'firefox';

/** A message to the extension, as its pages send them (see platform's message protocol). */
export interface ExtensionRequest {
  type: string;
  payload?: unknown;
}

/**
 * One open extension page (popup, side panel, welcome page), driven only by accessible names and roles —
 * the way a person finds things on it — plus extension messages where no UI exists yet.
 */
export interface ExtensionPage {
  readonly kind: BrowserKind;
  /** The page's file name, e.g. `popup.html`. */
  readonly file: string;
  /** Types into the form field whose accessible name (label) is `label`, replacing what is there. */
  fill(label: string, value: string): Promise<void>;
  /** Clicks the button whose accessible name is `name`. */
  click(name: string): Promise<void>;
  /** Unfolds the `<details>` section whose summary reads `summary` (e.g. **Advanced**); does nothing when it is open. */
  openDetails(summary: string): Promise<void>;
  /** Whether a visible form field labelled `label` is on the page right now. */
  hasField(label: string): Promise<boolean>;
  /** Whether a visible button named `name` is on the page right now. */
  hasButton(name: string): Promise<boolean>;
  /** The visible text of every element with role `status`. */
  statusTexts(): Promise<string[]>;
  /** The page's visible text. */
  visibleText(): Promise<string>;
  /** `runtime.sendMessage(request)` from this page; returns the raw response. */
  sendMessage(request: ExtensionRequest): Promise<unknown>;
  screenshot(file: string): Promise<void>;
  close(): Promise<void>;
}

/** A running browser with the built extension installed, on one user's profile. */
export interface ExtensionBrowser {
  readonly kind: BrowserKind;
  openExtensionPage(file: string): Promise<ExtensionPage>;
  /** Extension pages this harness opened and that are still open. */
  openPages(): ExtensionPage[];
  /** Closes every tab showing an extension page (including ones the extension opened itself). */
  closeExtensionTabs(): Promise<void>;
  close(): Promise<void>;
}
