import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { ChromiumExtensionPage } from './chromium-page';
import type { ExtensionPage } from './extension-page';
import { goTo } from './places';
import { waitFor } from './wait';

/** What a person does with backups (issue 13): **Export backup** in Settings, **Restore from a backup** when signed out. */

function chromium(page: ExtensionPage): Page {
  if (!(page instanceof ChromiumExtensionPage)) throw new Error('backup steps drive Chromium only for now (Firefox imports in the side panel)');
  return page.page;
}

/**
 * Exports a backup from Settings under `passphrase` and writes the file the page offered for download to
 * `file`; resolves with the name the page gave it. The bytes are read from the link the page clicked, so
 * they are exactly what the browser saved.
 */
export async function exportBackup(page: ExtensionPage, passphrase: string, file: string): Promise<string> {
  const p = chromium(page);
  await goTo(page, 'Settings');
  await p.evaluate(() => {
    const hooked = globalThis as unknown as { pwDownload?: Promise<{ name: string; base64: string }> };
    hooked.pwDownload = new Promise((resolve, reject) => {
      const click = HTMLAnchorElement.prototype.click;
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        if (this.download) {
          const name = this.download;
          void fetch(this.href)
            .then((r) => r.arrayBuffer())
            .then((buffer) => {
              const bytes = new Uint8Array(buffer);
              let binary = '';
              for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              resolve({ name, base64: btoa(binary) });
            }, reject);
        }
        click.call(this);
      };
    });
  });
  await page.fill('Backup passphrase', passphrase);
  await page.fill('Repeat the Backup passphrase', passphrase);
  await page.click('Export backup');
  const saved = await p.evaluate(() => (globalThis as unknown as { pwDownload: Promise<{ name: string; base64: string }> }).pwDownload);
  writeFileSync(file, Buffer.from(saved.base64, 'base64'));
  return saved.name;
}

/** On the signed-out screen: **Restore from a backup**, the file, its passphrase, **Import backup**; resolves with what the page says. */
export async function restoreFromBackup(page: ExtensionPage, file: string, passphrase: string): Promise<string> {
  const p = chromium(page);
  await page.click('Restore from a backup');
  await p.getByLabel('Backup file', { exact: true }).setInputFiles(file);
  await page.fill('Backup passphrase', passphrase);
  await page.click('Import backup');
  return waitFor(
    async () => {
      const said = await p.locator('#pw-backup-import').innerText();
      return /Restored @|Nothing was changed/.test(said) ? said : undefined;
    },
    { timeoutMs: 30_000, describe: () => `the import on ${page.file} said nothing` },
  );
}
