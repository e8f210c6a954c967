import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { MeshMessage, SignallingMesh } from '../signalling/mesh';
import type { RedisLog } from './client';
import { KEYS } from './keys';
import { parseMeshMessage } from './mesh-wire';
import { ALLOW, CLAIM, FORGET_NODE, RELEASE } from './mesh-scripts';
import type { RedisRelayQueue } from './relay-queue';
import { defineScript } from './script';

/** A node refreshes its liveness key this often; it counts as stopped once the key expires. */
const HEARTBEAT_MS = 3_000;
const NODE_TTL_MS = 10_000;

export interface RedisMeshDeps {
  /** Commands and scripts. */
  redis: Redis;
  /** A second connection in subscriber mode: the channels of the handles this node holds. */
  subscriber: Redis;
  queue: RedisRelayQueue;
  log: RedisLog;
}

/** [handle, node, handle, node, …] from a script → pairs. */
function pairs(flat: unknown): Array<{ handle: string; node: string }> {
  const list = Array.isArray(flat) ? (flat as string[]) : [];
  const out: Array<{ handle: string; node: string }> = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push({ handle: String(list[i]), node: String(list[i + 1]) });
  return out;
}

/**
 * Several broker nodes on one Redis (docs/broker.md#several-nodes). Who holds each handle, allow sets and
 * waiting relays are Redis data changed by atomic scripts; messages for a handle go over pub/sub to the
 * channel `pw:h:<handle>`, which only the node holding it subscribes to.
 */
export function createRedisMesh({ redis, subscriber, queue, log }: RedisMeshDeps): SignallingMesh {
  const node = randomBytes(8).toString('hex');
  // Names this node in Redis (pw:node:<id>, pw:peer:*), so an operator can tell which process holds whom.
  log.info({ node }, 'signalling shared through Redis');
  const claim = defineScript(redis, CLAIM);
  const release = defineScript(redis, RELEASE);
  const allow = defineScript(redis, ALLOW);
  const forgetNode = defineScript(redis, FORGET_NODE);
  /** Sockets per handle this node has claimed: its channel is subscribed while there is one. */
  const held = new Map<string, Set<string>>();
  /** Releases that failed (Redis away, or a claim whose answer timed out but may have run), sent again at each heartbeat and reconnect. */
  const unreleased = new Map<string, string>();
  let handlers: { message(message: MeshMessage): void; reconnected(): void } | undefined;
  let wasReady = redis.status === 'ready';
  let closed = false;
  /** Whether this node's key was set once: from then on, finding it gone means the others may have let go of its sockets. */
  let beaten = false;

  const publish = (message: MeshMessage) => redis.publish(KEYS.channel(message.to), JSON.stringify(message)).then(() => undefined);
  const tellOffline = (handle: string, friends: Array<{ handle: string; node: string }>, skipOwn: boolean) =>
    Promise.all(
      friends
        .filter((friend) => !skipOwn || friend.node !== node)
        .map((friend) => publish({ t: 'presence', to: friend.handle, from: handle, online: false })),
    );

  async function hold(handle: string, conn: string): Promise<void> {
    const conns = held.get(handle) ?? new Set<string>();
    const first = conns.size === 0;
    conns.add(conn);
    held.set(handle, conns);
    if (first) await subscriber.subscribe(KEYS.channel(handle));
  }

  function letGo(handle: string, conn: string): void {
    const conns = held.get(handle);
    if (!conns?.delete(conn) || conns.size > 0) return;
    held.delete(handle);
    subscriber.unsubscribe(KEYS.channel(handle)).catch(() => undefined); // a stale subscription only costs a filtered message
  }

  async function releaseOne(handle: string, conn: string, owner: string): Promise<void> {
    const friends = pairs(await release([], [handle, conn, owner, owner === node ? '0' : '1']));
    await tellOffline(handle, friends, owner === node);
  }

  /**
   * Refreshes this node's key; true when it had expired meanwhile. Commands that time out do not drop the
   * connection, so a node whose heartbeats were slow can be reaped by the others without ever reconnecting:
   * the caller then claims its sockets again as after a reconnect.
   */
  async function releaseWaiting(): Promise<void> {
    for (const [key, owner] of [...unreleased]) {
      const [handle = '', conn = ''] = key.split('\n');
      await releaseOne(handle, conn, owner);
      unreleased.delete(key);
    }
  }

  async function heartbeat(): Promise<boolean> {
    const replies = await redis.multi().set(KEYS.node(node), '1', 'PX', NODE_TTL_MS, 'GET').sadd(KEYS.nodes, node).exec();
    const [error, previous] = replies?.[0] ?? [new Error('the heartbeat was not run')];
    if (error) throw error;
    const lapsed = beaten && previous === null;
    beaten = true;
    return lapsed;
  }

  /** Lets go of the sockets of nodes that stopped without saying so (a crash, SIGKILL): their friends hear they went offline. */
  async function reapStoppedNodes(): Promise<void> {
    for (const other of await redis.smembers(KEYS.nodes)) {
      if (other === node || (await redis.exists(KEYS.node(other))) === 1) continue;
      if ((await redis.set(`pw:reap:${other}`, node, 'PX', 60_000, 'NX')) !== 'OK') continue;
      const sockets = await redis.hgetall(KEYS.nodePeers(other));
      for (const [handle, conn] of Object.entries(sockets)) await releaseOne(handle, conn, other);
      // A node that is alive again keeps what it holds: it claims its sockets again itself.
      if (Number(await forgetNode([], [other])) !== 1) continue;
      log.info({ node: other, sockets: Object.keys(sockets).length }, 'let go of the sockets of a stopped broker node');
    }
  }

  const beat = setInterval(
    () =>
      void heartbeat()
        .then((lapsed) => {
          if (lapsed && !closed) {
            log.warn({ node }, 'this broker node was counted as stopped; claiming its sockets again');
            handlers?.reconnected();
          }
          return releaseWaiting().then(reapStoppedNodes);
        })
        .catch(() => undefined),
    HEARTBEAT_MS,
  );
  beat.unref();
  if (wasReady) void heartbeat().catch(() => undefined);

  subscriber.on('message', (_channel: string, text: string) => {
    const message = parseMeshMessage(text);
    if (message) handlers?.message(message);
  });
  redis.on('ready', () => {
    if (closed) return;
    const again = wasReady;
    wasReady = true;
    void (async () => {
      const lapsed = await heartbeat();
      await releaseWaiting();
      if (again || lapsed) handlers?.reconnected();
    })().catch(() => undefined);
  });

  return {
    node,
    attach(next) {
      handlers = next;
    },
    async claim(session, conn) {
      try {
        await hold(session.handle, conn);
        const result = (await claim([], [session.handle, node, conn, session.sessionId, session.startedAt])) as Array<string | number>;
        if (Number(result[0]) !== 1) {
          letGo(session.handle, conn);
          return { ok: false };
        }
        const [, replacedConn, replacedNode] = result;
        return { ok: true, replaced: replacedConn === undefined ? undefined : { conn: String(replacedConn), node: String(replacedNode) } };
      } catch (error) {
        letGo(session.handle, conn);
        // A command that timed out may still run later: released at the next heartbeat, so the claim does not linger.
        unreleased.set(`${session.handle}\n${conn}`, node);
        throw error;
      }
    },
    async release(handle, conn) {
      letGo(handle, conn);
      try {
        await releaseOne(handle, conn, node);
      } catch (error) {
        unreleased.set(`${handle}\n${conn}`, node);
        throw error;
      }
    },
    async publishAllow(handle, conn, list) {
      const [online, gained, lost] = (await allow([], [handle, conn, ...list])) as [unknown, unknown, unknown];
      const elsewhere = (items: unknown) => pairs(items).filter((friend) => friend.node !== node);
      await Promise.all([
        ...elsewhere(gained).map((friend) => publish({ t: 'presence', to: friend.handle, from: handle, online: true })),
        ...elsewhere(lost).map((friend) => publish({ t: 'presence', to: friend.handle, from: handle, online: false })),
      ]);
      return elsewhere(online).map((friend) => friend.handle);
    },
    send: publish,
    async relay(message, queueOnly = false) {
      const result = await queue.add(message.to, message.src, message.id, message.frame, !queueOnly);
      if ('heldBy' in result) {
        // Nobody listens when its node was killed and is not yet reaped: keep it, as if `to` were offline.
        if ((await redis.publish(KEYS.channel(message.to), JSON.stringify(message))) > 0) return 'sent';
        const kept = await queue.add(message.to, message.src, message.id, message.frame, false);
        return 'kept' in kept && kept.kept ? 'queued' : 'too_large';
      }
      return result.kept ? 'queued' : 'too_large';
    },
    takeQueued: (handle) => queue.take(handle),
    sweep: () => queue.prune(),
    async close() {
      closed = true;
      clearInterval(beat);
      await redis.multi().del(KEYS.node(node)).srem(KEYS.nodes, node).exec().catch(() => undefined);
    },
  };
}
