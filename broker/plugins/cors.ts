import fastifyCors from '@fastify/cors';
import fp from 'fastify-plugin';

const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension):\/\/[a-z0-9-]+$/i;

/** True for our extension's origins (Firefox's are random per install) and configured extras. */
export function isAllowedOrigin(origin: string, extraOrigins: readonly string[]): boolean {
  return EXTENSION_ORIGIN.test(origin) || extraOrigins.includes(origin);
}

/** CORS for the extension; arbitrary web origins never get an Access-Control-Allow-Origin. */
export default fp(
  async (app, options: { extraOrigins: string[] }) => {
    await app.register(fastifyCors, {
      origin: (origin, callback) => callback(null, origin !== undefined && isAllowedOrigin(origin, options.extraOrigins)),
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    });
  },
  { name: 'cors' },
);
