import { Redis } from 'ioredis';
import { ApiError } from '../errors';
import { redactUrlCredentials } from '../redact';

/** What the broker logs about its Redis link; the logger is pino's (app.log). */
export interface RedisLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * `redis://user:secret@host:6379/0` → `redis://user:[redacted]@host:6379/0`, for log lines and errors; read
 * as ioredis reads it (WHATWG URL), so a password holding `@` or given as `?password=` is redacted whole.
 */
export function redactRedisUrl(url: string): string {
  return redactUrlCredentials(url, '[a Redis URL that does not parse]');
}

/** How long one Redis command may take before it counts as a failure (a hung server is an outage too). */
const COMMAND_TIMEOUT_MS = 2_000;
/** Reconnect delays grow by 100 ms up to this; ioredis retries for ever. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * A Redis connection that fails fast while Redis is away (no offline queue, a command timeout), so a
 * request gets a 503 at once instead of waiting, and that reconnects by itself for ever. Logs each outage
 * once, and its end, never the URL's password.
 */
export function connectRedis(url: string, log: RedisLog, name: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectionName: name,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ redis: redactRedisUrl(url), connection: name, reason: error.message }, 'Redis is unavailable; retrying');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ redis: redactRedisUrl(url), connection: name }, 'Redis is back');
  });
  return redis;
}

/** Resolves once `redis` is ready, or after `timeoutMs` (the broker then starts and keeps retrying). */
export async function untilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    function done(ready: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ready);
    }
    redis.on('ready', onReady);
  });
}

/** The 503 an HTTP route answers while Redis cannot be reached. */
export const sharedStoreUnavailable = () =>
  new ApiError(503, 'unavailable', 'The broker cannot reach its shared store right now. Try again in a few seconds.', 5);

/** Runs a Redis operation, turning any failure into the 503 above. */
export async function orUnavailable<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch {
    throw sharedStoreUnavailable();
  }
}
