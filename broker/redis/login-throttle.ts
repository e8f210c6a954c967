import type { Redis } from 'ioredis';
import type { LoginThrottle, LoginThrottleOptions } from '../login-throttle';
import { orUnavailable } from './client';
import { LUA_NOW_MS, defineScript } from './script';

// KEYS: the pair's and the address's failure hashes, the pair's running flag. Returns milliseconds to wait.
const WAIT = `${LUA_NOW_MS}
local now = now_ms()
local wait = 0
for i = 1, 2 do
  local blocked = tonumber(redis.call('HGET', KEYS[i], 'blocked_until') or '0')
  wait = math.max(wait, blocked - now)
end
if redis.call('EXISTS', KEYS[3]) == 1 then wait = math.max(wait, 1) end
return wait`;

// KEYS: the pair's and the address's failure hashes; ARGV: free per pair, free per address, base, max, forget (ms).
const FAIL = `${LUA_NOW_MS}
local now = now_ms()
local base, max, forget = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 1, 2 do
  local failures = redis.call('HINCRBY', KEYS[i], 'failures', 1)
  local free = tonumber(ARGV[i])
  if failures > free then
    local delay = math.min(max, base * 2 ^ math.min(30, failures - free - 1))
    redis.call('HSET', KEYS[i], 'blocked_until', now + delay)
  end
  redis.call('PEXPIRE', KEYS[i], forget)
end
return 1`;

/** A running attempt's mark outlives any real attempt (the hashing queue answers within seconds). */
const RUNNING_TTL_MS = 60_000;

/**
 * The login throttle of login-throttle.ts kept in Redis, so a guesser gains nothing by spreading attempts over
 * nodes: the same counts, delays and one-attempt-at-a-time rule, on Redis's clock. A count is forgotten a day
 * after its last failure (the key's TTL). Fails with a 503 while Redis is away.
 */
export function createRedisLoginThrottle(redis: Redis, options: Omit<LoginThrottleOptions, 'now' | 'maxEntries'> = {}): LoginThrottle {
  const {
    freePerPair = 5,
    freePerAddress = 50,
    baseDelayMs = 1_000,
    maxDelayMs = 15 * 60_000,
    forgetAfterMs = 24 * 60 * 60_000,
  } = options;
  const wait = defineScript(redis, WAIT);
  const fail = defineScript(redis, FAIL);
  const pairKey = (handle: string, address: string) => `pw:login:pair:${handle}:${address}`;
  const addressKey = (address: string) => `pw:login:address:${address}`;
  const runningKey = (handle: string, address: string) => `pw:login:running:${handle}:${address}`;
  return {
    retryAfter: (handle, address) =>
      orUnavailable(async () => {
        const ms = Number(await wait([pairKey(handle, address), addressKey(address), runningKey(handle, address)], []));
        return ms <= 0 ? 0 : Math.ceil(ms / 1000);
      }),
    begin: (handle, address) =>
      orUnavailable(async () => {
        const key = runningKey(handle, address);
        if ((await redis.set(key, '1', 'PX', RUNNING_TTL_MS, 'NX')) !== 'OK') return undefined;
        return () => void redis.del(key).catch(() => undefined);
      }),
    fail: (handle, address) =>
      orUnavailable(async () => {
        await fail([pairKey(handle, address), addressKey(address)], [freePerPair, freePerAddress, baseDelayMs, maxDelayMs, forgetAfterMs]);
      }),
    succeed: (handle, address) =>
      orUnavailable(async () => {
        await redis.del(pairKey(handle, address));
      }),
  };
}
