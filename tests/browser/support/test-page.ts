import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

export interface TestPage {
  url: string;
  close(): Promise<void>;
}

/**
 * Bundles `entry` (TypeScript, `@/` imports resolved by the repo's tsconfig) with esbuild and serves it
 * on 127.0.0.1 as the only script of an empty page. A page on http://127.0.0.1 is a secure context.
 */
export async function serveTestPage(entry: string): Promise<TestPage> {
  const root = new URL('../../..', import.meta.url).pathname;
  const bundle = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    tsconfig: 'tsconfig.json',
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><meta charset="utf-8"><title>test page</title><script src="/page.js"></script>';
  const server: Server = createServer((request, response) => {
    const isScript = request.url === '/page.js';
    response.writeHead(isScript || request.url === '/' ? 200 : 404, {
      'content-type': isScript ? 'text/javascript' : 'text/html',
      'cache-control': 'no-store',
    });
    response.end(isScript ? script : request.url === '/' ? html : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
