import type { Page } from 'playwright-core';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import { ensurePlace, ensurePosts } from './places';
import { waitFor } from './wait';

/** What a person does and sees with profile pictures (issue 12): **Choose profile picture**, then faces beside names. */

function chromium(page: ExtensionPage): Page {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error('profile picture steps drive Chromium only (Firefox picks in the side panel)');
  return page.page;
}

/** In Settings, picks the image at `file` with **Choose profile picture**, clicks **Save profile**, waits for `Profile saved.` */
export async function chooseProfilePicture(page: ExtensionPage, file: string): Promise<void> {
  await ensurePlace(page, 'Settings');
  const p = chromium(page);
  await p.getByLabel('Choose profile picture', { exact: true }).setInputFiles(file);
  await p.getByText('New picture: Save profile publishes it.').waitFor({ timeout: 30_000 });
  await page.click('Save profile');
  await waitFor(async () => ((await page.statusTexts()).includes('Profile saved.') ? true : undefined), {
    timeoutMs: 15_000,
    describe: () => `${page.file} does not say "Profile saved." after choosing a profile picture`,
  });
}

/** The profile picture files `handle` published, as its own content database records them. */
export async function ownPicture(page: ExtensionPage, handle: string): Promise<{ full: string; thumbnail: string } | null> {
  return chromium(page).evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(`peerwall-${name}`);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const record = await new Promise<{ picture?: { full: string; thumbnail: string } } | undefined>((resolve, reject) => {
      const request = db.transaction('profiles').objectStore('profiles').get(name);
      request.onsuccess = () => resolve(request.result as { picture?: { full: string; thumbnail: string } } | undefined);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return record?.picture ? { full: record.picture.full, thumbnail: record.picture.thumbnail } : null;
  }, handle);
}

export type AvatarSeen = { kind: 'picture'; sha256: string; width: number } | { kind: 'initials'; text: string; background: string; color: string };

/**
 * The avatar beside the author of the post that shows `text`, once it settles on `want`: for a picture, the
 * SHA-256 of the very bytes the page shows (its blob fetched back) and its natural width; for initials, their text
 * and colours.
 */
export async function waitForAvatar(page: ExtensionPage, text: string, want: AvatarSeen['kind'], timeoutMs: number): Promise<AvatarSeen> {
  await ensurePosts(page);
  const avatar = chromium(page).getByRole('article').filter({ hasText: text }).locator('.post-head .person-avatar');
  let seen: AvatarSeen | null = null;
  return waitFor(
    async () => {
      if ((await avatar.count()) !== 1) return undefined;
      seen = await avatar.evaluate(async (element): Promise<AvatarSeen | null> => {
        const img = element.querySelector('img');
        if (img) {
          if (!img.complete || img.naturalWidth === 0) return null;
          const bytes = await (await fetch(img.src)).arrayBuffer();
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          return { kind: 'picture', sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), width: img.naturalWidth };
        }
        const style = getComputedStyle(element);
        return { kind: 'initials', text: element.textContent?.trim() ?? '', background: style.backgroundColor, color: style.color };
      });
      return seen?.kind === want ? seen : undefined;
    },
    { timeoutMs, describe: () => `the avatar beside the post "${text}" on ${page.file} shows ${want}: saw ${JSON.stringify(seen)}` },
  );
}
