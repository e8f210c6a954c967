import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import type { FirefoxExtensionPage } from './firefox-page';
import { waitFor } from './wait';

/** The places of a signed-in popup or side panel, as the **Places** navigation names them. */
export type PlaceName = 'Feed' | 'My wall' | 'Friends' | 'Settings';

/** The place the navigation marks as current (`aria-current="page"`); null on a friend's wall or with no navigation. */
export async function currentPlace(page: ExtensionPage): Promise<PlaceName | null> {
  const read = () => {
    const button = document.querySelector('nav[aria-label="Places"] button[aria-current="page"]');
    // The Friends button may carry a request count after its name.
    return button ? (button.firstChild?.textContent ?? '').trim() : null;
  };
  const place =
    page instanceof ChromiumExtensionPage ? await page.page.evaluate(read) : await (page as FirefoxExtensionPage).page.evaluate(read);
  return place as PlaceName | null;
}

/** Clicks `place` in the **Places** navigation and waits until it is the current one. */
export async function goTo(page: ExtensionPage, place: PlaceName): Promise<void> {
  await page.click(place);
  await waitFor(async () => ((await currentPlace(page)) === place ? true : undefined), {
    timeoutMs: 5_000,
    describe: () => `${page.kind} ${page.file} did not show ${place}`,
  });
}

/** Goes to `place` unless the page is there already. */
export async function ensurePlace(page: ExtensionPage, place: PlaceName): Promise<void> {
  if ((await currentPlace(page)) !== place) await goTo(page, place);
}

/** Goes to the Feed unless the page shows posts already (the Feed, one's own wall or a friend's). */
export async function ensurePosts(page: ExtensionPage): Promise<void> {
  const place = await currentPlace(page);
  if (place === 'Friends' || place === 'Settings') await goTo(page, 'Feed');
}
