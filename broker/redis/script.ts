import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type Script = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>;

/**
 * A Lua script run by its SHA1 (EVALSHA), sent whole only when Redis does not know it yet — after a
 * restart, for instance. Scripts run atomically, which is what makes check-then-write safe across nodes.
 */
export function defineScript(redis: Redis, lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** Milliseconds on Redis's clock, so every node counts windows and ages on the same one. */
export const LUA_NOW_MS = `local function now_ms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;
