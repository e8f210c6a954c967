import { isNewerSession, type Session } from '../tokens';
import type { WindowCounter } from '../window-counter';
import {
  incomingRelayFrame,
  parseClientFrame,
  presenceFrame,
  relayStatusFrame,
  type ParsedClientFrame,
  type RefusalCode,
  type RelayRejection,
  type RelayStatus,
} from '../../core/signalling';
import { errorFrame } from './messages';
import type { RelayQueue } from './relay-queue';

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
  readonly connection: Connection;
  allow: ReadonlySet<string>;
  blocked: ReadonlySet<string>;
  /** Frames and bytes it may still send now: token buckets refilled per second. */
  tokens: number;
  byteTokens: number;
  lastFrameAt: number;
  /** Allowlist changes it may still make now (refilled every ALLOW_EVERY_MS), and the one waiting for a token. */
  allowTokens: number;
  allowRefilledAt: number;
  pendingAllow: { allow: ReadonlySet<string>; blocked: ReadonlySet<string> } | null;
  allowTimer: ReturnType<typeof setTimeout> | null;
}

export interface HubOptions {
  maxConnections: number;
  messagesPerSecond: number;
  /** Sustained bytes per second per socket; the burst allowance is 5 × this. */
  bytesPerSecond: number;
  /** A socket whose unsent bytes pass this is dropped: it is not reading what it is sent. */
  maxUnsentBytes: number;
  aliveTimeoutMs: number;
  /** May answer later (the account database); a rejection means "cannot tell now". */
  isActiveHandle(handle: string): boolean | Promise<boolean>;
  /** An unexpected failure of asynchronous work (the frame it belonged to is dropped). */
  onError?(error: unknown): void;
  relayQueue: RelayQueue;
  relayLimiter: WindowCounter;
  now?: () => number;
}

const POLICY_VIOLATION = 1008;
/** Each socket may send this many seconds' worth of frames and bytes at once. */
const BURST_SECONDS = 5;
/** Allowlist changes: this many at once, then one every ALLOW_EVERY_MS (docs/signalling.md). */
const ALLOW_BURST = 10;
const ALLOW_EVERY_MS = 2_000;
// Shared until a peer sends PW_ALLOW, so 10 000 idle sockets do not hold 20 000 empty Sets.
const NOBODY: ReadonlySet<string> = new Set();

/**
 * The in-memory state of PeerJS signalling: one live peer per handle, the allowlists that
 * filter who may signal whom, friend-scoped presence and the small relay queue. Nothing here
 * is stored or logged.
 */
export class SignallingHub {
  private readonly peers = new Map<string, Peer>();
  /** Each peer's relays wait for the handle check one after another, so they keep their order. */
  private readonly relayChains = new WeakMap<Peer, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: HubOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.peers.size;
  }

  /** Opens the connection for an authenticated session, or refuses it with a code. */
  admit(session: Session, connection: Connection): Peer | RefusalCode {
    const existing = this.peers.get(session.handle);
    if (existing) {
      const sameSession = existing.session.sessionId === session.sessionId;
      if (!sameSession && !isNewerSession(session, existing.session)) return 'signed_in_elsewhere';
      this.refuse(existing, 'signed_in_elsewhere');
    } else if (this.peers.size >= this.options.maxConnections) {
      return 'server_full';
    }
    const peer: Peer = {
      session,
      connection,
      allow: NOBODY,
      blocked: NOBODY,
      tokens: this.options.messagesPerSecond * BURST_SECONDS,
      byteTokens: this.options.bytesPerSecond * BURST_SECONDS,
      lastFrameAt: this.now(),
      allowTokens: ALLOW_BURST,
      allowRefilledAt: this.now(),
      pendingAllow: null,
      allowTimer: null,
    };
    this.peers.set(session.handle, peer);
    this.send(peer, JSON.stringify({ type: 'OPEN' }));
    for (const frame of this.options.relayQueue.take(session.handle)) this.send(peer, frame);
    return peer;
  }

  /** Forgets a peer whose socket closed. */
  leave(peer: Peer): void {
    if (peer.allowTimer) clearTimeout(peer.allowTimer);
    peer.allowTimer = null;
    if (this.peers.get(peer.session.handle) !== peer) return;
    this.peers.delete(peer.session.handle);
    for (const handle of peer.allow) {
      const other = this.peers.get(handle);
      if (other?.allow.has(peer.session.handle)) this.presence(other, [], [peer.session.handle]);
    }
  }

  /** Sends ERROR `code` and closes the peer's socket (e.g. after a password change). */
  refuse(peer: Peer, code: RefusalCode): void {
    this.leave(peer);
    peer.connection.send(errorFrame(code));
    peer.connection.close(POLICY_VIOLATION, code);
  }

  disconnectHandle(handle: string, code: RefusalCode): void {
    const peer = this.peers.get(handle);
    if (peer) this.refuse(peer, code);
  }

  /** Closes silent sockets (PeerJS clients send HEARTBEAT every 5 s) and drops expired relays. */
  sweep(): void {
    const cutoff = this.now() - this.options.aliveTimeoutMs;
    for (const peer of [...this.peers.values()]) {
      if (peer.lastFrameAt < cutoff) {
        this.leave(peer);
        peer.connection.close(1001, 'alive_timeout');
      }
    }
    this.options.relayQueue.prune();
  }

  closeAll(): void {
    for (const peer of [...this.peers.values()]) {
      if (peer.allowTimer) clearTimeout(peer.allowTimer);
      this.peers.delete(peer.session.handle);
      peer.connection.close(1001, 'shutting_down');
    }
  }

  /** A frame from `peer`'s socket; `bytes` is its size on the wire. */
  receive(peer: Peer, text: string, bytes = text.length): void {
    if (this.peers.get(peer.session.handle) !== peer) return;
    const now = this.now();
    const seconds = (now - peer.lastFrameAt) / 1000;
    const { messagesPerSecond, bytesPerSecond } = this.options;
    peer.tokens = Math.min(messagesPerSecond * BURST_SECONDS, peer.tokens + seconds * messagesPerSecond);
    peer.byteTokens = Math.min(bytesPerSecond * BURST_SECONDS, peer.byteTokens + seconds * bytesPerSecond);
    peer.lastFrameAt = now;
    if (peer.tokens < 1 || peer.byteTokens < bytes) {
      this.refuse(peer, 'rate_limited');
      return;
    }
    peer.tokens -= 1;
    peer.byteTokens -= bytes;
    this.handle(peer, parseClientFrame(text));
  }

  /** Sends to `peer`, dropping it when it has stopped reading (its unsent bytes would grow without bound). */
  private send(peer: Peer, frame: string): void {
    peer.connection.send(frame);
    if (peer.connection.bufferedAmount <= this.options.maxUnsentBytes) return;
    this.leave(peer);
    peer.connection.terminate();
  }

  private handle(peer: Peer, message: ParsedClientFrame): void {
    const src = peer.session.handle;
    switch (message.type) {
      case 'OFFER':
      case 'ANSWER':
      case 'CANDIDATE':
      case 'LEAVE': {
        const target = message.dst === src ? undefined : this.peers.get(message.dst);
        // Dropped silently otherwise, so a stranger cannot tell "offline" from "not allowed".
        if (target && target.allow.has(src) && !target.blocked.has(src)) {
          this.send(target, JSON.stringify({ type: message.type, src, dst: message.dst, payload: message.payload }));
        }
        return;
      }
      case 'PW_ALLOW':
        // Listing itself would let a socket send frames to itself; ignored as a whole like any invalid list.
        if (message.handles.includes(src)) return;
        this.changeAllowlist(peer, new Set(message.handles), new Set(message.blocked));
        return;
      case 'PW_RELAY':
        this.relay(peer, message);
        return;
      case 'PW_RELAY_INVALID':
        this.afterEarlierRelays(peer, () => this.status(peer, message.id, message.dst, 'rejected', message.reason));
        return;
      case 'HEARTBEAT':
      case 'IGNORED':
        return;
    }
  }

  /**
   * Applies an allowlist change now, or — past `ALLOW_BURST` changes at once — as soon as the socket's
   * budget allows, the latest replacing any still waiting. Each change costs work in proportion to
   * both lists, so changes have their own low rate; coalescing loses nothing a client meant.
   */
  private changeAllowlist(peer: Peer, allow: ReadonlySet<string>, blocked: ReadonlySet<string>): void {
    const now = this.now();
    peer.allowTokens = Math.min(ALLOW_BURST, peer.allowTokens + (now - peer.allowRefilledAt) / ALLOW_EVERY_MS);
    peer.allowRefilledAt = now;
    if (peer.allowTokens >= 1 && !peer.pendingAllow) {
      peer.allowTokens -= 1;
      this.setAllowlist(peer, allow, blocked);
      return;
    }
    peer.pendingAllow = { allow, blocked };
    if (peer.allowTimer) return;
    peer.allowTimer = setTimeout(() => {
      peer.allowTimer = null;
      const pending = peer.pendingAllow;
      peer.pendingAllow = null;
      if (pending && this.peers.get(peer.session.handle) === peer) this.changeAllowlist(peer, pending.allow, pending.blocked);
    }, Math.ceil((1 - peer.allowTokens) * ALLOW_EVERY_MS));
    peer.allowTimer.unref?.();
  }

  private setAllowlist(peer: Peer, allow: ReadonlySet<string>, blocked: ReadonlySet<string>): void {
    const me = peer.session.handle;
    const before = peer.allow;
    peer.allow = allow;
    peer.blocked = blocked;
    for (const handle of new Set([...before, ...allow])) {
      const other = this.peers.get(handle);
      if (!other?.allow.has(me) || before.has(handle) === allow.has(handle)) continue;
      if (allow.has(handle)) this.presence(other, [me], []);
      else this.presence(other, [], [me]);
    }
    const online = [...allow].filter((handle) => this.peers.get(handle)?.allow.has(me));
    this.presence(peer, online, []);
  }

  private relay(peer: Peer, message: Extract<ParsedClientFrame, { type: 'PW_RELAY' }>): void {
    const src = peer.session.handle;
    const { dst, id, body } = message;
    if (dst === src) return this.afterEarlierRelays(peer, () => this.status(peer, id, dst, 'rejected', 'invalid'));
    if (this.options.relayLimiter.retryAfter(src) > 0) {
      return this.afterEarlierRelays(peer, () => this.status(peer, id, dst, 'rejected', 'rate_limited'));
    }
    this.options.relayLimiter.record(src);
    this.afterEarlierRelays(peer, async () => {
      let active: boolean;
      try {
        active = await this.options.isActiveHandle(dst);
      } catch {
        if (this.peers.get(src) === peer) this.status(peer, id, dst, 'rejected', 'unavailable');
        return;
      }
      if (this.peers.get(src) !== peer) return; // it left while the check ran
      if (!active) return this.status(peer, id, dst, 'rejected', 'unknown_handle');
      this.deliver(peer, dst, id, body);
    });
  }

  /**
   * Runs `step` once the peer's earlier relays are answered (unless it has left meanwhile): the
   * handle check may wait on the account database, and PW_RELAY_STATUS frames keep the relays' order.
   */
  private afterEarlierRelays(peer: Peer, step: () => void | Promise<void>): void {
    const next = (this.relayChains.get(peer) ?? Promise.resolve())
      .then(() => (this.peers.get(peer.session.handle) === peer ? step() : undefined))
      .catch((error: unknown) => this.options.onError?.(error));
    this.relayChains.set(peer, next);
  }

  private deliver(peer: Peer, dst: string, id: string, body: unknown): void {
    const src = peer.session.handle;
    const frame = JSON.stringify(incomingRelayFrame(src, id, body));
    const target = this.peers.get(dst);
    // Only a sender `dst` lists (a friend, who sees its presence anyway) learns that it was delivered.
    // Anyone else gets "accepted" whether `dst` is online, offline or blocks them, so a relay tells a
    // stranger nothing about `dst`; nothing here depends on how full the queue is, for the same reason.
    if (target?.allow.has(src) && !target.blocked.has(src)) {
      this.send(target, frame);
      return this.status(peer, id, dst, 'delivered');
    }
    if (target) {
      if (!target.blocked.has(src)) this.send(target, frame);
    } else if (!this.options.relayQueue.add(dst, src, id, frame)) {
      return this.status(peer, id, dst, 'rejected', 'queue_full');
    }
    this.status(peer, id, dst, 'accepted');
  }

  private status(peer: Peer, id: string, dst: string, status: RelayStatus, reason?: RelayRejection): void {
    this.send(peer, JSON.stringify(relayStatusFrame(id, dst, status, reason)));
  }

  private presence(peer: Peer, online: string[], offline: string[]): void {
    this.send(peer, JSON.stringify(presenceFrame(online, offline)));
  }
}
