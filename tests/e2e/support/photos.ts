import type { Page } from 'playwright-core';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';
import { inPage } from './in-page';
import { ensurePosts } from './places';
import { waitFor } from './wait';

/** What a person does and sees with photos (issue 12): **Add photos**, **Describe this photo**, a post's images by their alt text. */

function chromium(page: ExtensionPage): Page {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error('this photo step drives Chromium only');
  return page.page;
}

/** In Firefox, from the side panel (sidebar): its popup closes when a file picker opens (Mozilla bug 1292701). */
async function postPhotoInFirefox(page: FirefoxExtensionPage, text: string, file: string, alt: string): Promise<void> {
  await page.fill('Write on your wall', text);
  const input = await page.page.waitForSelector('input[type="file"]', { timeout: 10_000 });
  if (!input) throw new Error(`no Add photos on ${page.file}`);
  await input.uploadFile(file);
  await page.fill('Describe this photo', alt);
  await page.click('Post');
  await waitFor(async () => ((await inPage(page, () => (document.getElementById('pw-composer') as HTMLTextAreaElement | null)?.value)) === '' ? true : undefined), {
    timeoutMs: 30_000,
    describe: () => `the photo post "${text}" was not saved on ${page.file}`,
  });
}

/** Writes `text` on one's wall with the photo at `file`, described as `alt`; waits until the box is empty again. */
export async function postPhoto(page: ExtensionPage, text: string, file: string, alt: string): Promise<void> {
  await ensurePosts(page);
  if (!(page instanceof ChromiumExtensionPage)) return postPhotoInFirefox(page as FirefoxExtensionPage, text, file, alt);
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
  let seen = 'nothing';
  await waitFor(
    async () => {
      const shown = await inPage(page, shownPhoto, JSON.stringify({ text, alt }));
      seen = shown;
      return shown !== 'nothing' && (want === 'thumbnail' || shown === 'full') ? true : undefined;
    },
    { timeoutMs, describe: () => `the ${want} image "${alt}" in the post "${text}" on ${page.file}: saw ${seen}` },
  );
}

/** In the page: what the post showing `text` shows of its image whose alt text is `alt` (its accessible name). */
function shownPhoto(arg: string): 'nothing' | 'thumbnail' | 'full' {
  const { text, alt } = JSON.parse(arg) as { text: string; alt: string };
  const article = [...document.querySelectorAll('article')].find((a) => (a as HTMLElement).innerText.includes(text));
  const img = [...(article?.querySelectorAll('img') ?? [])].find((i) => i.alt === alt && i.complete && i.naturalWidth > 0);
  if (!img) return 'nothing';
  return img.closest('button')?.dataset['full'] === 'yes' ? 'full' : 'thumbnail';
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
  return inPage(page, async (dbName) => {
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
  }, `peerwall-${handle}` as string);
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
