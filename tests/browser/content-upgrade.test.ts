import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_DB_VERSION } from '@/platform/content-db';
import { PART_BYTES } from '@/platform/media-parts';
import { openBrowserPage, type BrowserName, type BrowserPage } from './support/page-browsers';
import { serveTestPage, type TestPage } from './support/test-page';

type Upgraded = {
  version: number;
  stores: string[];
  keyPath: unknown;
  parts: number;
  largestPart: number;
  files: { sha256: string; partial: boolean; assembled: string | null; shown: string | null; firstMissing: number; chunks: number }[];
};

let server: TestPage;
beforeAll(async () => {
  server = await serveTestPage('tests/browser/support/content-upgrade-page.ts');
});
afterAll(() => server?.close());

/** Content database version 7 in the browsers' own IndexedDB: renaming a store and copying it during the upgrade. */
describe.each<BrowserName>(['chromium', 'firefox'])('upgrading the content database from version 6 in %s', (browserName) => {
  let page: BrowserPage;
  beforeAll(async () => {
    page = await openBrowserPage(browserName, server.url);
  });
  afterAll(() => page?.close());

  it('keeps every photo byte for byte, complete and partial, now in parts of at most 32 KiB', async () => {
    // 4 MiB and 1 000 bytes (65 chunks, the last short), one chunk of 5 bytes, and a partial file of which
    // version 6 held the first of 3 chunks.
    const sizes = [64 * 65536 + 1000, 5, 2 * 65536 + 7];
    const upgraded = await page.call<Upgraded>('upgradeFromV6', sizes);

    expect(upgraded.version).toBe(CONTENT_DB_VERSION);
    expect(upgraded.stores).not.toContain('mediaChunksV6');
    expect(upgraded.stores).toContain('mediaChunks');
    expect(upgraded.keyPath).toEqual(['name', 'index', 'part']);
    expect(upgraded.parts).toBe(64 * 2 + 1 + 1 + 2);
    expect(upgraded.largestPart).toBe(PART_BYTES);
    const [large, tiny, partial] = upgraded.files;
    for (const whole of [large!, tiny!]) {
      expect(whole.assembled).toBe(whole.sha256);
      expect(whole.shown).toBe(whole.sha256);
      expect(whole.firstMissing).toBe(whole.chunks);
    }
    expect(partial).toMatchObject({ assembled: null, shown: null, firstMissing: 1 });
  });
});
