import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/** The version in package.json, read once; "unknown" if it cannot be read. */
function brokerVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : null;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const VERSION = brokerVersion();

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Peerwall broker</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>Peerwall broker</h1>
<p>This is a Peerwall broker, version ${VERSION}. It proves who owns a handle and helps Peerwall extensions connect to each other;
posts, friends and photos never pass through it.</p>
<p>To use it, enter this address as the Broker URL in the Peerwall extension.</p>
<p>Health: <a href="/health">/health</a></p>
</body>
</html>
`;

/** `GET /`: a small page for a person who opens the broker's address in a browser. */
const homeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: { response: { 200: Type.String() } } }, async (_request, reply) => {
    void reply.type('text/html; charset=utf-8');
    return PAGE;
  });
};

export default homeRoutes;
