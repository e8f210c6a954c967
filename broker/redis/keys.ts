/**
 * Where the broker keeps its signalling state in Redis (docs/broker.md#several-nodes). Every key starts
 * with `pw:`; the Lua below is shared by the scripts that need it.
 */
export const KEYS = {
  /** Hash node, conn, sid, sat: the one live socket of a handle. */
  peer: (handle: string) => `pw:peer:${handle}`,
  /** Set: the handles socket `conn` of `handle` lists (PW_ALLOW). */
  allow: (handle: string, conn: string) => `pw:allow:${handle}:${conn}`,
  /** Set by a running node every few seconds, expiring when it stops. */
  node: (node: string) => `pw:node:${node}`,
  /** Hash handle → conn: the sockets a node holds, so they can be let go when it stops. */
  nodePeers: (node: string) => `pw:nodepeers:${node}`,
  nodes: 'pw:nodes',
  /** The pub/sub channel of a handle: the node holding it listens. */
  channel: (handle: string) => `pw:h:${handle}`,
} as const;

/** `holder(h)`: the node and socket of `h`'s live socket, or nil; `lists(h, conn, x)`: that socket lists x. */
export const LUA_HOLDER = `
local function holder(h)
  local v = redis.call('HMGET', 'pw:peer:' .. h, 'node', 'conn')
  if v[1] and redis.call('EXISTS', 'pw:node:' .. v[1]) == 1 then return v[1], v[2] end
  return nil, nil
end
local function lists(h, conn, x)
  return redis.call('SISMEMBER', 'pw:allow:' .. h .. ':' .. conn, x) == 1
end`;
