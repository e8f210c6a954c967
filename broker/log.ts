import type { FastifyServerOptions } from 'fastify';
import { redactUrl } from './redact';

/**
 * pino options for the broker: JSON lines on stderr (stdout carries only the "listening" line),
 * request URLs with `token` query parameters redacted, no headers (so no Authorization).
 */
export function loggerOptions(level: string, stream: NodeJS.WritableStream = process.stderr): FastifyServerOptions['logger'] {
  return {
    level,
    stream,
    serializers: {
      req: (request: { method: string; url: string }) => ({ method: request.method, url: redactUrl(request.url) }),
    },
  };
}
