/**
 * The built extension the browser benchmarks read: `.output/chrome-mv3` and `.output/firefox-mv2`, rebuilt with
 * `npm run build` when either is missing or older than a source file the extension is built from.
 * `tsx bench/fresh-build.ts` does just that (for `npm run bench:notify`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILDS = { chrome: join(REPO_ROOT, '.output/chrome-mv3'), firefox: join(REPO_ROOT, '.output/firefox-mv2') } as const;

/** What the extension is built from (the broker, tests, benchmarks and docs are not). */
const SOURCES = ['entrypoints', 'components', 'core', 'platform', 'stores', 'public', 'wxt.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** Why the build must be redone, or null when both builds are newer than every source. */
export function staleReason(): string | null {
  const sources = Math.max(...SOURCES.map((source) => newestMtime(join(REPO_ROOT, source))));
  for (const dir of Object.values(BUILDS)) {
    const manifest = join(dir, 'manifest.json');
    if (!existsSync(manifest)) return `${dir} has no build`;
    if (statSync(manifest).mtimeMs < sources) return `${dir} is older than its sources`;
  }
  return null;
}

/** Runs `npm run build` if needed; returns what was done, for the benchmark's report. */
export function ensureFreshBuild(): string {
  const reason = staleReason();
  if (!reason) return 'the existing build in .output (newer than its sources)';
  console.log(`${reason}: running npm run build…`);
  const built = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`npm run build failed (${built.error?.message ?? `exit ${built.status}`}).`);
  return `a fresh build (${reason})`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`Benchmarking ${ensureFreshBuild()}.`);
