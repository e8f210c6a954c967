import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths';

/**
 * Builds the Chromium extension with its test-only fault switch (`npm run build:faults`, WXT mode "faults",
 * into `.output/chrome-mv3-faults`) and copies it aside, as global-setup.ts does with the product build.
 * About 10 seconds.
 */
export function buildWithFaults(): { dir: string; remove: () => void } {
  const built = spawnSync('npm', ['run', 'build:faults'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const output = path.join(REPO_ROOT, '.output/chrome-mv3-faults');
  if (built.status !== 0 || !existsSync(path.join(output, 'manifest.json'))) {
    throw new Error(`npm run build:faults failed (${built.error?.message ?? `exit ${built.status}`}):\n${built.stdout}\n${built.stderr}`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'peerwall-e2e-faults-'));
  const dir = path.join(root, 'chrome-mv3-faults');
  cpSync(output, dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The files of a build (relative paths) whose text contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(js|html|json)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (readFileSync(file, 'utf8').includes(needle)) found.push(path.relative(dir, file));
  }
  return found;
}
