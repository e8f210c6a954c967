import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';
import { waitFor } from './wait';

/** Opens the folded **Settings** (`<details>`; its summary has no role to find it by) unless it is open. */
async function openSettings(page: ExtensionPage): Promise<void> {
  if (page instanceof ChromiumExtensionPage) {
    const summary = page.page.locator('summary').filter({ hasText: /^\s*Settings\s*$/ });
    const open = await summary.evaluate((element) => (element.parentElement as HTMLDetailsElement).open, undefined, { timeout: 5_000 });
    if (!open) await summary.click({ timeout: 5_000 });
    return;
  }
  const firefox = (page as FirefoxExtensionPage).page;
  for (const summary of await firefox.$$('summary')) {
    const [text, open] = await summary.evaluate((element) => [element.textContent?.trim(), (element.parentElement as HTMLDetailsElement).open] as const);
    if (text !== 'Settings') continue;
    if (!open) await summary.click();
    return;
  }
  throw new Error(`${page.kind} ${page.file} has no Settings to open`);
}

/** In Settings, fills **Display name** and **About**, clicks **Save profile** and waits for `Profile saved.` */
export async function saveProfile(page: ExtensionPage, profile: { displayName: string; about: string }): Promise<void> {
  if (!(await page.hasField('Display name'))) await openSettings(page);
  await page.fill('Display name', profile.displayName);
  await page.fill('About', profile.about);
  await page.click('Save profile');
  let statuses: string[] = [];
  await waitFor(
    async () => {
      statuses = await page.statusTexts();
      return statuses.includes('Profile saved.') ? true : undefined;
    },
    {
      timeoutMs: 15_000,
      describe: () => `${page.kind} ${page.file} does not say "Profile saved." (role=status texts ${JSON.stringify(statuses)})`,
    },
  );
}
