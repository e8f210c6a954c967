import type { ExtensionPage } from './extension-page';
import { ensurePlace } from './places';
import { waitFor } from './wait';

/** In Settings, fills **Display name** and **About**, clicks **Save profile** and waits for `Profile saved.` */
export async function saveProfile(page: ExtensionPage, profile: { displayName: string; about: string }): Promise<void> {
  await ensurePlace(page, 'Settings');
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
