import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WindowCounter } from '../window-counter';
import { orUnavailable } from './client';
import { LUA_NOW_MS, defineScript } from './script';

// KEYS[1] the key's sorted set of event times; ARGV: limit, windowMs. Returns seconds to wait.
const RETRY_AFTER = `${LUA_NOW_MS}
local now, limit, window = now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then return 0 end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')[2])
return math.max(1, math.ceil((oldest + window - now) / 1000))`;

// KEYS[1] as above; ARGV: limit, windowMs, a unique member for this event.
const RECORD = `${LUA_NOW_MS}
local now, limit, window = now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[3])
local count = redis.call('ZCARD', KEYS[1])
if count > limit then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit - 1) end
redis.call('PEXPIRE', KEYS[1], window)
return 1`;

// KEYS[1] as above; ARGV: limit, windowMs, a unique member. Counts the event if one more is allowed
// (returns 0), else returns the seconds to wait — in one step, so parallel requests cannot all pass.
const TAKE = `${LUA_NOW_MS}
local now, limit, window = now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')[2])
  return math.max(1, math.ceil((oldest + window - now) / 1000))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0`;

/**
 * The window counter of window-counter.ts kept in Redis, so every node counts the same events (e.g. new
 * accounts per address per hour over all nodes). Times are Redis's clock. Fails with a 503 while Redis is away.
 */
export function createRedisWindowCounter(redis: Redis, options: { name: string; limit: number; windowMs: number }): WindowCounter {
  const retryAfter = defineScript(redis, RETRY_AFTER);
  const record = defineScript(redis, RECORD);
  const take = defineScript(redis, TAKE);
  const keyOf = (key: string) => `pw:window:${options.name}:${key}`;
  const giveBackOf = (key: string, member: string) => {
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      // Best effort: while Redis is away the event stays counted until its window ends.
      redis.zrem(keyOf(key), member).catch(() => undefined);
    };
  };
  return {
    take: (key) =>
      orUnavailable(async () => {
        const member = randomBytes(8).toString('base64url');
        const wait = Number(await take([keyOf(key)], [options.limit, options.windowMs, member]));
        return wait > 0 ? { ok: false as const, retryAfter: wait } : { ok: true as const, giveBack: giveBackOf(key, member) };
      }),
    retryAfter: (key) => orUnavailable(async () => Number(await retryAfter([keyOf(key)], [options.limit, options.windowMs]))),
    record: (key) =>
      orUnavailable(async () => {
        const member = randomBytes(8).toString('base64url');
        await record([keyOf(key)], [options.limit, options.windowMs, member]);
        return giveBackOf(key, member);
      }),
  };
}
