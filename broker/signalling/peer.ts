import { randomBytes } from 'node:crypto';
import type { Session } from '../tokens';
import type { AllowBudget } from './allow-budgets';

/** What the hub needs of a socket; the WebSocket plugin adapts `ws` to it. */
export interface Connection {
  send(frame: string): void;
  close(code: number, reason: string): void;
  /** Bytes written but not yet taken by the client (0 where unknown). */
  readonly bufferedAmount: number;
  /** Drops the socket at once: it does not read, so a close handshake would wait on it too. */
  terminate(): void;
}

export interface Peer {
  readonly session: Session;
  /** This socket's id over all nodes: a handle's newer socket replaces exactly this one. */
  readonly conn: string;
  readonly connection: Connection;
  allow: ReadonlySet<string>;
  blocked: ReadonlySet<string>;
  /** Frames and bytes it may still send now: token buckets refilled per second. */
  tokens: number;
  byteTokens: number;
  lastFrameAt: number;
  /** Its handle's allowlist budget on this node (shared with its earlier sockets), and the change waiting for it. */
  allowBudget: AllowBudget;
  pendingAllow: { allow: ReadonlySet<string>; blocked: ReadonlySet<string> } | null;
  allowTimer: ReturnType<typeof setTimeout> | null;
  /** Its frames are handled one after another, in order, even when one waits for another node. */
  work: Promise<void>;
  /** Frames taken but not yet handled. */
  waiting: number;
  /** Set once the hub has let it go, so a socket leaves only once. */
  gone: boolean;
}

export interface Budget {
  messagesPerSecond: number;
  bytesPerSecond: number;
}

/** Each socket may send this many seconds' worth of frames and bytes at once. */
const BURST_SECONDS = 5;
/** Allowlist tokens: this many at once, then one every ALLOW_EVERY_MS (docs/signalling.md). */
export const ALLOW_BURST = 10;
export const ALLOW_EVERY_MS = 2_000;
/** A change costs one token per this many handles it lists (at least one): its cost grows with both lists. */
export const HANDLES_PER_ALLOW_TOKEN = 500;
// Shared until a peer sends PW_ALLOW, so 10 000 idle sockets do not hold 20 000 empty Sets.
export const NOBODY: ReadonlySet<string> = new Set();

export function createPeer(session: Session, connection: Connection, budget: Budget, allowBudget: AllowBudget, now: number): Peer {
  return {
    session,
    conn: randomBytes(12).toString('base64url'),
    connection,
    allow: NOBODY,
    blocked: NOBODY,
    tokens: budget.messagesPerSecond * BURST_SECONDS,
    byteTokens: budget.bytesPerSecond * BURST_SECONDS,
    lastFrameAt: now,
    allowBudget,
    pendingAllow: null,
    allowTimer: null,
    work: Promise.resolve(),
    waiting: 0,
    gone: false,
  };
}

/** Refills the peer's buckets and takes one frame of `bytes` from them; false when it sends too much. */
export function takeFrame(peer: Peer, budget: Budget, bytes: number, now: number): boolean {
  const seconds = (now - peer.lastFrameAt) / 1000;
  peer.tokens = Math.min(budget.messagesPerSecond * BURST_SECONDS, peer.tokens + seconds * budget.messagesPerSecond);
  peer.byteTokens = Math.min(budget.bytesPerSecond * BURST_SECONDS, peer.byteTokens + seconds * budget.bytesPerSecond);
  peer.lastFrameAt = now;
  if (peer.tokens < 1 || peer.byteTokens < bytes) return false;
  peer.tokens -= 1;
  peer.byteTokens -= bytes;
  return true;
}

/** Whether `peer` takes signals and relays from `src` as a friend. */
export const listens = (peer: Peer, src: string): boolean => peer.allow.has(src) && !peer.blocked.has(src);
