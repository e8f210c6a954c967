import type { FastifyServerOptions } from 'fastify';
import { prettyStream } from './log-pretty';
import { redactUrl } from './redact';

/**
 * pino options for the broker: JSON lines on stderr, or readable lines when stderr is a terminal
 * (stdout carries only the "listening" line),
 * request URLs with secret query parameters redacted, no headers (so no Authorization), and
 * errors reduced to what cannot hold a client's bytes.
 */
export function loggerOptions(level: string, stream: NodeJS.WritableStream = defaultStream()): FastifyServerOptions['logger'] {
  return {
    level,
    stream,
    serializers: {
      req: (request: { method: string; url: string }) => ({ method: request.method, url: redactUrl(request.url) }),
      err: describeError,
    },
  };
}

/** stderr, readable lines when a person watches it in a terminal; JSON lines otherwise (a log collector). */
function defaultStream(): NodeJS.WritableStream {
  return process.stderr.isTTY ? prettyStream(process.stderr) : process.stderr;
}

/** What an error becomes in a log line (the shape Fastify expects of the `err` serializer). */
export type LoggedError = {
  type: string;
  message: string;
  stack: string;
  code?: string;
  statusCode?: number;
};

const NOT_LOGGED = '[not logged: it may quote the request]';

/**
 * An error as a log line may show it: type, code and status, and message and stack only when they
 * cannot quote the request. Never the error's other properties: Node's HTTP parser errors carry
 * the raw request bytes (`rawPacket`, with the Authorization header and a JSON password), which
 * Fastify logs at trace level (#17).
 */
export function describeError(error: unknown): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: NOT_LOGGED, stack: '' };
  const { code, statusCode } = error as Error & { code?: unknown; statusCode?: unknown };
  // A client error's message may quote what the client sent: V8's JSON.parse quotes the body,
  // Fastify's media-type error the Content-Type.
  const quotesRequest = error instanceof SyntaxError || (typeof statusCode === 'number' && statusCode < 500);
  return {
    type: error.name,
    message: quotesRequest ? NOT_LOGGED : error.message,
    stack: quotesRequest ? '' : (error.stack ?? ''),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
  };
}
