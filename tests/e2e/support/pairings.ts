import type { BrowserKind } from './extension-page';

/** Real users mix browsers: every two-user scenario runs Chromium ↔ Chromium and Chromium ↔ Firefox. */
export const PAIRINGS: Array<[BrowserKind, BrowserKind]> = [
  ['chromium', 'chromium'],
  ['chromium', 'firefox'],
];
