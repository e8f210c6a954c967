import { LUA_HOLDER } from './keys';

// The scripts behind RedisMesh: each runs atomically, so two nodes never both think they hold a handle.
// A handle's friends are found through its allow set; `holder` ignores sockets of nodes that stopped.

/** ARGV: handle, node, conn, sid, sat. Returns {0} (a newer session holds it) or {1[, replacedConn, replacedNode]}. */
export const CLAIM = `${LUA_HOLDER}
local h, node, conn, sid, sat = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = 'pw:peer:' .. h
local cur = redis.call('HMGET', key, 'node', 'conn', 'sid', 'sat')
local replaced = {}
if cur[1] and redis.call('EXISTS', 'pw:node:' .. cur[1]) == 1 then
  if cur[3] ~= sid then
    local held, mine = tonumber(cur[4]), tonumber(sat)
    if not (mine > held or (mine == held and sid > cur[3])) then return {0} end
  end
  if cur[2] ~= conn then replaced = {cur[2], cur[1]} end
end
redis.call('HSET', key, 'node', node, 'conn', conn, 'sid', sid, 'sat', sat)
redis.call('HSET', 'pw:nodepeers:' .. node, h, conn)
redis.call('SADD', 'pw:nodes', node)
return {1, replaced[1], replaced[2]}`;

/**
 * ARGV: handle, conn, node, reaping. Forgets socket `conn` and its allow set; returns {friend, friendNode, …}:
 * the handles it listed that are online and list it, except those its newer socket (if any) lists too.
 * `reaping` ('1': another node lets go of a stopped node's socket) changes nothing once the node is alive again.
 */
export const RELEASE = `${LUA_HOLDER}
local h, conn, node = ARGV[1], ARGV[2], ARGV[3]
if ARGV[4] == '1' and redis.call('EXISTS', 'pw:node:' .. node) == 1 then return {} end
local key = 'pw:peer:' .. h
local current = redis.call('HGET', key, 'conn')
local allowKey = 'pw:allow:' .. h .. ':' .. conn
local notify = {}
for _, x in ipairs(redis.call('SMEMBERS', allowKey)) do
  local still = current and current ~= conn and lists(h, current, x)
  if not still then
    local xn, xc = holder(x)
    if xn and lists(x, xc, h) then notify[#notify + 1] = x; notify[#notify + 1] = xn end
  end
end
redis.call('DEL', allowKey)
if current == conn then redis.call('DEL', key) end
if redis.call('HGET', 'pw:nodepeers:' .. node, h) == conn then redis.call('HDEL', 'pw:nodepeers:' .. node, h) end
return notify`;

/**
 * ARGV: handle, conn, listed handles… Replaces socket `conn`'s allow set. Returns {online, gained, lost},
 * each {friend, friendNode, …}: friends online that list it now, and those of them it added or dropped.
 * A socket that is no longer its handle's live one changes nothing.
 */
export const ALLOW = `${LUA_HOLDER}
local h, conn = ARGV[1], ARGV[2]
local _, current = holder(h)
if current ~= conn then return {{}, {}, {}} end
local key = 'pw:allow:' .. h .. ':' .. conn
local before = {}
for _, x in ipairs(redis.call('SMEMBERS', key)) do before[x] = true end
redis.call('DEL', key)
local now, batch = {}, {}
for i = 3, #ARGV do
  now[ARGV[i]] = true
  batch[#batch + 1] = ARGV[i]
  if #batch == 1000 then redis.call('SADD', key, unpack(batch)); batch = {} end
end
if #batch > 0 then redis.call('SADD', key, unpack(batch)) end
local online, gained, lost = {}, {}, {}
local function mutual(x)
  local xn, xc = holder(x)
  if xn and lists(x, xc, h) then return xn end
  return nil
end
for i = 3, #ARGV do
  local xn = mutual(ARGV[i])
  if xn then
    online[#online + 1] = ARGV[i]; online[#online + 1] = xn
    if not before[ARGV[i]] then gained[#gained + 1] = ARGV[i]; gained[#gained + 1] = xn end
  end
end
for x in pairs(before) do
  if not now[x] then
    local xn = mutual(x)
    if xn then lost[#lost + 1] = x; lost[#lost + 1] = xn end
  end
end
return {online, gained, lost}`;

/** ARGV: node. Forgets a stopped node's list of sockets, unless it is alive again (returns 0 then). */
export const FORGET_NODE = `
local node = ARGV[1]
if redis.call('EXISTS', 'pw:node:' .. node) == 1 then return 0 end
redis.call('DEL', 'pw:nodepeers:' .. node)
redis.call('SREM', 'pw:nodes', node)
return 1`;
