import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from '../fresh-build';

/**
 * Bundles a browser script of the benchmarks (`bench/support/<entry>`) with the product code it imports, as one
 * classic script: esbuild, the `@/` paths of tsconfig.json, nothing written to disk.
 */
export async function bundleScript(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'bench/support', entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    write: false,
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for bench/support/${entry}`);
  return file.text;
}
