import type { Redis } from 'ioredis';
import { DEFAULT_RELAY_QUEUE_LIMITS, type RelayQueueLimits } from '../signalling/relay-queue';
import { LUA_HOLDER } from './keys';
import { LUA_NOW_MS, defineScript } from './script';

// Keys: pw:q:<dst> zset "src\nid" by arrival, pw:qf:<dst> hash "src\nid" → "<ms>|<frame>", pw:qs:<src> zset
// "dst\nid" by arrival, pw:qh zset sender → relays held, pw:qage zset "dst\nsrc\nid" by time, pw:qstat hash
// size/bytes, pw:qseq the arrival counter. Handles hold no "\n", so the first one splits a member.
const LUA_COMMON = `${LUA_NOW_MS}
${LUA_HOLDER}
local function split(s) return string.match(s, '^([^\\n]*)\\n(.*)$') end
local function drop(dst, src, id)
  local m = src .. '\\n' .. id
  local v = redis.call('HGET', 'pw:qf:' .. dst, m)
  if not v then return nil, nil end
  local bar = string.find(v, '|', 1, true)
  redis.call('HDEL', 'pw:qf:' .. dst, m)
  redis.call('ZREM', 'pw:q:' .. dst, m)
  redis.call('ZREM', 'pw:qs:' .. src, dst .. '\\n' .. id)
  redis.call('ZREM', 'pw:qage', dst .. '\\n' .. m)
  if tonumber(redis.call('ZINCRBY', 'pw:qh', -1, src)) <= 0 then redis.call('ZREM', 'pw:qh', src) end
  redis.call('HINCRBY', 'pw:qstat', 'size', -1)
  redis.call('HINCRBY', 'pw:qstat', 'bytes', -(#v - bar))
  return v, bar
end
local function oldest_of(src)
  local first = redis.call('ZRANGE', 'pw:qs:' .. src, 0, 0)[1]
  if not first then return nil, nil end
  return split(first)
end`;

// ARGV: dst, src, id, frame, perDestination, perPair, perSender, total, totalBytes, lookForHolder (0/1), now ('' = Redis's).
// Returns {2, node} when dst is held by a node (nothing kept), {0} when the frame alone is too large, {1} when kept.
const ADD = `${LUA_COMMON}
local dst, src, id, frame = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local perDestination, perPair, perSender = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local total, totalBytes = tonumber(ARGV[8]), tonumber(ARGV[9])
if ARGV[10] == '1' then
  local node = holder(dst)
  if node then return {2, node} end
end
local bytes = #frame
if bytes > totalBytes then return {0} end
drop(dst, src, id)
local pair = {}
for _, m in ipairs(redis.call('ZRANGE', 'pw:q:' .. dst, 0, -1)) do
  local s, i = split(m)
  if s == src then pair[#pair + 1] = i end
end
if #pair >= perPair then drop(dst, src, pair[1]) end
if redis.call('ZCARD', 'pw:qs:' .. src) >= perSender then
  local d, i = oldest_of(src)
  if d then drop(d, src, i) end
end
local members = redis.call('ZRANGE', 'pw:q:' .. dst, 0, -1)
if #members >= perDestination then
  local counts, order, first = {}, {}, {}
  for _, m in ipairs(members) do
    local s, i = split(m)
    if not counts[s] then counts[s] = 0; order[#order + 1] = s; first[s] = i end
    counts[s] = counts[s] + 1
  end
  local most, count = src, counts[src] or 0
  for _, s in ipairs(order) do if counts[s] > count then most, count = s, counts[s] end end
  if first[most] then drop(dst, most, first[most]) end
end
while true do
  local stat = redis.call('HMGET', 'pw:qstat', 'size', 'bytes')
  local size, held = tonumber(stat[1] or '0'), tonumber(stat[2] or '0')
  if size <= 0 or (size < total and held + bytes <= totalBytes) then break end
  local top = redis.call('ZREVRANGE', 'pw:qh', 0, 0, 'WITHSCORES')
  local victim = src
  if top[1] and tonumber(top[2]) > tonumber(redis.call('ZSCORE', 'pw:qh', src) or '0') then victim = top[1] end
  local d, i = oldest_of(victim)
  if not d then break end
  drop(d, victim, i)
end
local now = tonumber(ARGV[11]) or now_ms()
local seq = redis.call('INCR', 'pw:qseq')
local m = src .. '\\n' .. id
redis.call('ZADD', 'pw:q:' .. dst, seq, m)
redis.call('HSET', 'pw:qf:' .. dst, m, now .. '|' .. frame)
redis.call('ZADD', 'pw:qs:' .. src, seq, dst .. '\\n' .. id)
redis.call('ZADD', 'pw:qage', now, dst .. '\\n' .. m)
redis.call('ZINCRBY', 'pw:qh', 1, src)
redis.call('HINCRBY', 'pw:qstat', 'size', 1)
redis.call('HINCRBY', 'pw:qstat', 'bytes', bytes)
return {1}`;

// ARGV: dst, maxAgeMs, now. Returns the frames kept for dst, oldest first, and forgets them.
const TAKE = `${LUA_COMMON}
local dst, cutoff = ARGV[1], (tonumber(ARGV[3]) or now_ms()) - tonumber(ARGV[2])
local out = {}
for _, m in ipairs(redis.call('ZRANGE', 'pw:q:' .. dst, 0, -1)) do
  local s, i = split(m)
  local v, bar = drop(dst, s, i)
  if v and tonumber(string.sub(v, 1, bar - 1)) > cutoff then out[#out + 1] = string.sub(v, bar + 1) end
end
return out`;

// ARGV: maxAgeMs, now. Drops up to 1 000 expired relays a call.
const PRUNE = `${LUA_COMMON}
local cutoff = (tonumber(ARGV[2]) or now_ms()) - tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', 'pw:qage', '-inf', cutoff, 'LIMIT', 0, 1000)
for _, m in ipairs(expired) do
  local dst, rest = split(m)
  local src, id = split(rest)
  drop(dst, src, id)
end
return #expired`;

export interface RedisRelayQueue {
  /** As RelayQueue.add; with `unlessHeld`, first looks for a node holding `dst` and keeps nothing if there is one. */
  add(dst: string, src: string, id: string, frame: string, unlessHeld?: boolean): Promise<{ kept: boolean } | { heldBy: string }>;
  take(dst: string): Promise<string[]>;
  prune(): Promise<void>;
  stats(): Promise<{ size: number; bytes: number }>;
}

/**
 * The relay queue of signalling/relay-queue.ts in Redis, with the same bounds (per destination, per pair,
 * per sender, in all) and the same rule for making room, so relays survive a node's restart and any node
 * can deliver them. Expiry is on Redis's clock unless `now` is given (tests).
 */
export function createRedisRelayQueue(redis: Redis, options: Partial<RelayQueueLimits> & { now?: () => number } = {}): RedisRelayQueue {
  const limits = { ...DEFAULT_RELAY_QUEUE_LIMITS, ...options };
  const now = () => (options.now ? String(options.now()) : '');
  const add = defineScript(redis, ADD);
  const take = defineScript(redis, TAKE);
  const prune = defineScript(redis, PRUNE);
  return {
    async add(dst, src, id, frame, unlessHeld = false) {
      const { perDestination, perPair, perSender, total, totalBytes } = limits;
      const args = [dst, src, id, frame, perDestination, perPair, perSender, total, totalBytes, unlessHeld ? '1' : '0', now()];
      const [result, node] = (await add([], args)) as [number, string?];
      return result === 2 && node !== undefined ? { heldBy: node } : { kept: result === 1 };
    },
    async take(dst) {
      return (await take([], [dst, limits.maxAgeMs, now()])) as string[];
    },
    async prune() {
      await prune([], [limits.maxAgeMs, now()]);
    },
    async stats() {
      const [size, bytes] = await redis.hmget('pw:qstat', 'size', 'bytes');
      return { size: Number(size ?? 0), bytes: Number(bytes ?? 0) };
    },
  };
}
