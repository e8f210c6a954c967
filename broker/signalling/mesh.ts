import type { RefusalCode } from '../../core/signalling';
import { isNewerSession, type Session } from '../tokens';
import type { RelayQueue } from './relay-queue';

/** What one node tells another about a handle it holds a socket for (docs/broker.md#several-nodes). */
export type MeshMessage =
  /** An OFFER, ANSWER, CANDIDATE or LEAVE for `to`, if `to` lists `src`. */
  | { t: 'signal'; to: string; src: string; frame: string }
  /** A PW_RELAY for `to`; the status goes back to the sender's socket `conn`. */
  | { t: 'relay'; to: string; src: string; conn: string; id: string; frame: string }
  /** A frame for one socket of `to` (a relay status). */
  | { t: 'frame'; to: string; conn: string; frame: string }
  /** `from` came online to, or went offline from, `to` (who hears of it only if it lists `from`). */
  | { t: 'presence'; to: string; from: string; online: boolean }
  /** Ends `to`'s socket `conn` (a newer sign-in elsewhere), or any socket of `to` (a password change). */
  | { t: 'end'; to: string; conn?: string; code: RefusalCode };

export type ClaimResult = { ok: false } | { ok: true; replaced?: { conn: string; node: string } };

/** A handle held elsewhere, and its node. */
export interface Remote {
  handle: string;
  node: string;
}

/**
 * Where a hub meets the peers it does not hold itself. The hub keeps everything about its own sockets;
 * the mesh keeps who holds each handle, relays waiting for offline handles, and carries messages to the
 * node holding a handle. `createLocalMesh` is one process (today's broker); `createRedisMesh` is
 * several nodes sharing Redis.
 */
export interface SignallingMesh {
  /** This node's id. */
  readonly node: string;
  /** Where messages for this node's handles go, and what to call when the mesh was away and is back. */
  attach(handlers: { message(message: MeshMessage): void; reconnected(): void }): void;
  /**
   * Makes socket `conn` the one live socket of `session.handle` over all nodes, unless a newer session
   * holds it (refused). `replaced` is the socket it took over from, to be ended with `signed_in_elsewhere`.
   */
  claim(session: Session, conn: string): Promise<ClaimResult>;
  /** Gives up `conn`'s claim; tells friends on other nodes that listed it that it went offline. */
  release(handle: string, conn: string): Promise<void>;
  /**
   * Stores `conn`'s allowlist; returns the handles on other nodes that are online and list `handle`, and
   * tells those it gained or dropped (and who list it) that it came online or went offline for them.
   */
  publishAllow(handle: string, conn: string, allow: ReadonlySet<string>): Promise<string[]>;
  /** Sends `message` to the node holding `message.to`, if any. */
  send(message: MeshMessage): Promise<void>;
  /**
   * A relay for `dst`, which this node does not hold: handed to the node that does (`sent`: that node
   * answers the sender), or kept until `dst` connects (`queued`), or refused (`too_large`). `queueOnly`
   * keeps it without looking for a holder (a node that was sent it but no longer holds `dst`).
   */
  relay(message: Extract<MeshMessage, { t: 'relay' }>, queueOnly?: boolean): Promise<'sent' | 'queued' | 'too_large'>;
  /** Removes and returns the relays waiting for `handle`, oldest first. */
  takeQueued(handle: string): Promise<string[]>;
  /** Drops expired relays. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One broker process: every handle is held here or nowhere, relays wait in this process's memory, and
 * nothing is sent anywhere. Claims are checked here too, so the hub has one path for both.
 */
export function createLocalMesh(queue: RelayQueue): SignallingMesh {
  const claims = new Map<string, { session: Session; conn: string }>();
  return {
    node: 'local',
    attach() {},
    async claim(session, conn) {
      const held = claims.get(session.handle);
      if (held && held.session.sessionId !== session.sessionId && !isNewerSession(session, held.session)) return { ok: false };
      claims.set(session.handle, { session, conn });
      return { ok: true, replaced: held && held.conn !== conn ? { conn: held.conn, node: 'local' } : undefined };
    },
    async release(handle, conn) {
      if (claims.get(handle)?.conn === conn) claims.delete(handle);
    },
    async publishAllow() {
      return [];
    },
    async send() {},
    async relay(message) {
      return queue.add(message.to, message.src, message.id, message.frame) ? 'queued' : 'too_large';
    },
    async takeQueued(handle) {
      return queue.take(handle);
    },
    async sweep() {
      queue.prune();
    },
    async close() {},
  };
}
