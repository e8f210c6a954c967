import type { Page } from 'playwright-core';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import { ensurePosts } from './places';
import { waitFor } from './wait';

/** What a person does and sees with photos (issue 12): **Add photos**, **Describe this photo**, a post's images by their alt text. */

function chromium(page: ExtensionPage): Page {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error('photo steps drive Chromium only for now (issue 12: Firefox picks photos in the side panel)');
  return page.page;
}

/** Writes `text` on one's wall with the photo at `file`, described as `alt`; waits until the box is empty again. */
export async function postPhoto(page: ExtensionPage, text: string, file: string, alt: string): Promise<void> {
  await ensurePosts(page);
  const p = chromium(page);
  await p.getByLabel('Write on your wall', { exact: true }).fill(text);
  await p.getByLabel('Add photos', { exact: true }).setInputFiles(file);
  await p.getByLabel('Describe this photo', { exact: true }).fill(alt);
  await p.getByRole('button', { name: 'Post', exact: true }).click();
  const box = p.getByLabel('Write on your wall', { exact: true });
  await waitFor(async () => ((await box.inputValue()) === '' ? true : undefined), {
    timeoutMs: 30_000,
    describe: () => `the photo post "${text}" was not saved on ${page.file}: ${p.url()}`,
  });
}

/** The article that shows `text`. */
const articleWith = (p: Page, text: string) => p.getByRole('article').filter({ hasText: text });

/** Waits for the image named `alt` in the post that shows `text`; resolves with whether it is the full image. */
export async function waitForPhoto(page: ExtensionPage, text: string, alt: string, want: 'thumbnail' | 'full', timeoutMs: number): Promise<void> {
  const p = chromium(page);
  const image = articleWith(p, text).getByRole('img', { name: alt, exact: true });
  let seen = 'nothing';
  await waitFor(
    async () => {
      if ((await image.count()) !== 1) return undefined;
      const full = await image.evaluate((img) => (img as HTMLImageElement).closest('button')?.dataset['full'] === 'yes' && (img as HTMLImageElement).naturalWidth > 0);
      seen = full ? 'full' : 'thumbnail';
      return want === 'thumbnail' || full ? true : undefined;
    },
    { timeoutMs, describe: () => `the ${want} image "${alt}" in the post "${text}" on ${page.file}: saw ${seen}` },
  );
}

/** The natural size of the image named `alt` in the post that shows `text`. */
export async function photoSize(page: ExtensionPage, text: string, alt: string): Promise<{ width: number; height: number }> {
  const image = articleWith(chromium(page), text).getByRole('img', { name: alt, exact: true });
  return image.evaluate((img) => ({ width: (img as HTMLImageElement).naturalWidth, height: (img as HTMLImageElement).naturalHeight }));
}

/** Opens the photo large (Enter on its button), reads the dialog's image, closes it with Escape; resolves with whether it closed. */
export async function viewLarge(page: ExtensionPage, text: string, alt: string): Promise<{ shown: boolean; closed: boolean }> {
  const p = chromium(page);
  await articleWith(p, text).getByRole('button', { name: alt, exact: true }).press('Enter');
  const dialog = p.getByRole('dialog');
  await dialog.waitFor({ state: 'visible', timeout: 5_000 });
  const shown = (await dialog.getByRole('img', { name: alt, exact: true }).count()) === 1;
  await p.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
  return { shown, closed: !(await dialog.isVisible()) };
}

/**
 * The complete photo files `handle`'s content database holds, each as the hex SHA-256 of its chunks put
 * together, by file name — read in the page, from IndexedDB, as the extension itself stores them.
 */
export async function storedPhotoHashes(page: ExtensionPage, handle: string): Promise<Record<string, string>> {
  return chromium(page).evaluate(async (dbName) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(dbName);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = <T>(store: string): Promise<T[]> =>
      new Promise((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const files = (await all<{ name: string; status: string }>('mediaFiles')).filter((f) => f.status === 'complete');
    const chunks = await all<{ name: string; index: number; bytes: Uint8Array }>('mediaChunks');
    db.close();
    const out: Record<string, string> = {};
    for (const file of files) {
      const parts = chunks.filter((c) => c.name === file.name).sort((a, b) => a.index - b.index);
      const digest = await crypto.subtle.digest('SHA-256', await new Blob(parts.map((c) => c.bytes as Uint8Array<ArrayBuffer>)).arrayBuffer());
      out[file.name] = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    return out;
  }, `peerwall-${handle}`);
}

/** Waits until the post that shows `text` says its photo waits for `holder` to come online. */
export async function waitForPhotoWaiting(page: ExtensionPage, text: string, holder: string, timeoutMs: number): Promise<void> {
  const sentence = `Photo will load when @${holder} is online`;
  const article = articleWith(chromium(page), text);
  await waitFor(async () => ((await article.getByText(sentence, { exact: true }).count()) > 0 ? true : undefined), {
    timeoutMs,
    describe: () => `"${sentence}" in the post "${text}" on ${page.file}`,
  });
}

/** Waits for the **Loading photo** progress bar in the post that shows `text` to pass 0; resolves with its value. */
export async function waitForPhotoProgress(page: ExtensionPage, text: string, timeoutMs: number): Promise<number> {
  const bar = articleWith(chromium(page), text).getByRole('progressbar', { name: 'Loading photo', exact: true });
  return waitFor(
    async () => {
      if ((await bar.count()) !== 1) return undefined;
      const now = Number(await bar.getAttribute('aria-valuenow'));
      return now > 0 ? now : undefined;
    },
    { timeoutMs, describe: () => `a Loading photo progress bar above 0 in the post "${text}" on ${page.file}` },
  );
}
