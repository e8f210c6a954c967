import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROME_EXTENSION_DIR = path.join(REPO_ROOT, '.output/chrome-mv3');
export const FIREFOX_EXTENSION_DIR = path.join(REPO_ROOT, '.output/firefox-mv2');
/** Screenshots and browser logs of the e2e suite (gitignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts/e2e');
