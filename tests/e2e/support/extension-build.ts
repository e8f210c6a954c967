import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROME_EXTENSION_DIR, FIREFOX_EXTENSION_DIR } from './paths';

export interface ExtensionDirs {
  chrome: string;
  firefox: string;
}

/**
 * Copies `.output/chrome-mv3` and `.output/firefox-mv2` aside once per run, so a rebuild started while the
 * suite runs cannot pull the extension out from under a browser. Returns the copies and a cleanup.
 */
export function snapshotBuilds(): { dirs: ExtensionDirs; remove: () => void } {
  for (const dir of [CHROME_EXTENSION_DIR, FIREFOX_EXTENSION_DIR]) {
    if (!existsSync(path.join(dir, 'manifest.json'))) {
      throw new Error(`No built extension in ${dir}. Run \`npm run build\` before \`npm run test:e2e\`.`);
    }
  }
  const root = mkdtempSync(path.join(tmpdir(), 'peerwall-e2e-build-'));
  const dirs = { chrome: path.join(root, 'chrome-mv3'), firefox: path.join(root, 'firefox-mv2') };
  cpSync(CHROME_EXTENSION_DIR, dirs.chrome, { recursive: true });
  cpSync(FIREFOX_EXTENSION_DIR, dirs.firefox, { recursive: true });
  for (const dir of Object.values(dirs)) {
    if (!existsSync(path.join(dir, 'manifest.json'))) {
      throw new Error(`The build changed while the suite copied it (${dir} has no manifest.json); run it again.`);
    }
  }
  return { dirs, remove: () => rmSync(root, { recursive: true, force: true }) };
}
