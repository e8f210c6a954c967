import type { Session } from '../tokens';
import type { Awaitable, WindowCounter } from '../window-counter';
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
import { createAllowBudgets, type AllowBudgets } from './allow-budgets';
import { changeAllowlist } from './hub-allowlist';
import { onMeshMessage, resync } from './hub-inbox';
import { errorFrame } from './messages';
import type { SignallingMesh } from './mesh';
import { createPeer, listens, takeFrame, type Connection, type Peer } from './peer';

export type { Connection, Peer } from './peer';

export interface HubOptions {
  maxConnections: number;
  messagesPerSecond: number;
  /** Sustained bytes per second per socket; the burst allowance is 5 × this. */
  bytesPerSecond: number;
  /** A socket whose unsent bytes pass this is dropped: it is not reading what it is sent. */
  maxUnsentBytes: number;
  aliveTimeoutMs: number;
  isActiveHandle(handle: string): Awaitable<boolean>;
  /** The other nodes, or none (createLocalMesh): who holds each handle and the relays that wait. */
  mesh: SignallingMesh;
  relayLimiter: WindowCounter;
  /** An unexpected failure while handling a frame (the frame is dropped). */
  onError?: (error: unknown) => void;
  now?: () => number;
}

const POLICY_VIOLATION = 1008;
/** Frames a socket may have waiting to be handled (while another node answers) before it counts as a flood. */
const MAX_WAITING_FRAMES = 500;

/**
 * The state of PeerJS signalling on this node: one live peer per handle over all nodes, the allowlists
 * that filter who may signal whom, friend-scoped presence and relays. Peers held here are served here;
 * the mesh reaches the rest (docs/signalling.md). Nothing here is stored or logged.
 */
export class SignallingHub {
  private readonly peers = new Map<string, Peer>();
  private readonly now: () => number;
  private readonly mesh: SignallingMesh;
  private readonly allowBudgets: AllowBudgets;

  constructor(private readonly options: HubOptions) {
    this.now = options.now ?? Date.now;
    this.mesh = options.mesh;
    // Room for every socket held plus as many handles again that left recently.
    this.allowBudgets = createAllowBudgets(options.maxConnections * 2);
    this.mesh.attach({ message: (message) => onMeshMessage(this, this.mesh, message), reconnected: () => void resync(this, this.mesh) });
  }

  get size(): number {
    return this.peers.size;
  }

  /** The peer this node holds for `handle`. */
  peer(handle: string): Peer | undefined {
    return this.peers.get(handle);
  }

  /** Milliseconds now (the hub's clock, which tests may set). */
  clock(): number {
    return this.now();
  }

  /** Every peer this node holds, as a list that later changes do not affect. */
  held(): Peer[] {
    return [...this.peers.values()];
  }

  /** Opens the connection for an authenticated session, or refuses it with a code. */
  async admit(session: Session, connection: Connection): Promise<Peer | RefusalCode> {
    if (!this.peers.has(session.handle) && this.peers.size >= this.options.maxConnections) return 'server_full';
    const now = this.now();
    const peer = createPeer(session, connection, this.options, this.allowBudgets.of(session.handle, now), now);
    let claim;
    try {
      claim = await this.mesh.claim(session, peer.conn);
    } catch {
      return 'unavailable';
    }
    if (!claim.ok) return 'signed_in_elsewhere';
    if (claim.replaced) this.end(session.handle, claim.replaced, 'signed_in_elsewhere');
    const existing = this.peers.get(session.handle);
    if (existing) this.refuse(existing, 'signed_in_elsewhere');
    this.peers.set(session.handle, peer);
    this.send(peer, JSON.stringify({ type: 'OPEN' }));
    this.enqueue(peer, async () => {
      const frames = await this.mesh.takeQueued(session.handle).catch(() => []);
      if (this.peers.get(session.handle) === peer) for (const frame of frames) this.send(peer, frame);
    });
    return peer;
  }

  /** Forgets a peer whose socket closed (or that was ended): friends here and elsewhere hear it went offline. */
  leave(peer: Peer): void {
    if (peer.allowTimer) clearTimeout(peer.allowTimer);
    peer.allowTimer = null;
    if (peer.gone) return;
    peer.gone = true;
    this.mesh.release(peer.session.handle, peer.conn).catch(() => undefined);
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

  /** Ends the handle's socket on whichever node holds it. */
  disconnectHandle(handle: string, code: RefusalCode): void {
    const peer = this.peers.get(handle);
    if (peer) this.refuse(peer, code);
    this.mesh.send({ t: 'end', to: handle, code }).catch(() => undefined);
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
    this.mesh.sweep().catch(() => undefined);
  }

  /** Closes every socket and gives up their claims, so friends elsewhere see them go and they can reconnect anywhere. */
  async closeAll(): Promise<void> {
    const releases: Array<Promise<void>> = [];
    for (const peer of [...this.peers.values()]) {
      if (peer.allowTimer) clearTimeout(peer.allowTimer);
      peer.gone = true;
      this.peers.delete(peer.session.handle);
      releases.push(this.mesh.release(peer.session.handle, peer.conn).catch(() => undefined));
      peer.connection.close(1001, 'shutting_down');
    }
    await Promise.all(releases);
  }

  /** A frame from `peer`'s socket; `bytes` is its size on the wire. */
  receive(peer: Peer, text: string, bytes = text.length): void {
    if (this.peers.get(peer.session.handle) !== peer) return;
    if (!takeFrame(peer, this.options, bytes, this.now()) || peer.waiting >= MAX_WAITING_FRAMES) {
      this.refuse(peer, 'rate_limited');
      return;
    }
    const message = parseClientFrame(text);
    this.enqueue(peer, () => this.handle(peer, message));
  }

  /** Resolves once every frame `peer` sent so far has been handled. */
  settled(peer: Peer): Promise<void> {
    return peer.work;
  }

  /** @internal Runs `task` in the peer's order (used by hub-inbox.ts). */
  enqueue(peer: Peer, task: () => Awaitable<void>): void {
    peer.waiting += 1;
    peer.work = peer.work
      .then(task)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => void (peer.waiting -= 1));
  }

  /** Sends to `peer`, dropping it when it has stopped reading (its unsent bytes would grow without bound). */
  send(peer: Peer, frame: string): void {
    peer.connection.send(frame);
    if (peer.connection.bufferedAmount <= this.options.maxUnsentBytes) return;
    this.leave(peer);
    peer.connection.terminate();
  }

  /** Ends socket `target.conn` of `handle`: here, or on its node. */
  end(handle: string, target: { conn: string; node: string }, code: RefusalCode): void {
    if (target.node === this.mesh.node) {
      const peer = this.peers.get(handle);
      if (peer?.conn === target.conn) this.refuse(peer, code);
      return;
    }
    this.mesh.send({ t: 'end', to: handle, conn: target.conn, code }).catch(() => undefined);
  }

  private async handle(peer: Peer, message: ParsedClientFrame): Promise<void> {
    if (this.peers.get(peer.session.handle) !== peer) return;
    const src = peer.session.handle;
    switch (message.type) {
      case 'OFFER':
      case 'ANSWER':
      case 'CANDIDATE':
      case 'LEAVE': {
        if (message.dst === src) return;
        const frame = JSON.stringify({ type: message.type, src, dst: message.dst, payload: message.payload });
        const target = this.peers.get(message.dst);
        // Dropped silently otherwise, so a stranger cannot tell "offline" from "not allowed".
        if (target) {
          if (listens(target, src)) this.send(target, frame);
        } else {
          await this.mesh.send({ t: 'signal', to: message.dst, src, frame }).catch(() => undefined);
        }
        return;
      }
      case 'PW_ALLOW':
        // Listing itself would let a socket send frames to itself; ignored as a whole like any invalid list.
        if (message.handles.includes(src)) return;
        return changeAllowlist(this, this.mesh, peer, new Set(message.handles), new Set(message.blocked));
      case 'PW_RELAY':
        return this.relay(peer, message);
      case 'PW_RELAY_INVALID':
        this.status(peer, message.id, message.dst, 'rejected', message.reason);
        return;
      case 'HEARTBEAT':
      case 'IGNORED':
        return;
    }
  }

  private async relay(peer: Peer, message: Extract<ParsedClientFrame, { type: 'PW_RELAY' }>): Promise<void> {
    const src = peer.session.handle;
    const { dst, id, body } = message;
    if (dst === src) return this.status(peer, id, dst, 'rejected', 'invalid');
    const frame = JSON.stringify(incomingRelayFrame(src, id, body));
    let outcome: RelayStatus | RelayRejection | 'sent';
    try {
      outcome = await this.relayOutcome(src, peer.conn, dst, id, frame);
    } catch {
      outcome = 'queue_full'; // the shared store is away: the client sends it again later
    }
    if (outcome === 'sent') return; // the node holding `dst` answers
    if (outcome === 'delivered' || outcome === 'accepted') return this.status(peer, id, dst, outcome);
    this.status(peer, id, dst, 'rejected', outcome as RelayRejection);
  }

  private async relayOutcome(src: string, conn: string, dst: string, id: string, frame: string): Promise<RelayStatus | RelayRejection | 'sent'> {
    if (!(await this.options.relayLimiter.take(src)).ok) return 'rate_limited';
    let active: boolean;
    try {
      active = await this.options.isActiveHandle(dst);
    } catch {
      return 'unavailable'; // the account database is away: the client sends it again later
    }
    if (!active) return 'unknown_handle';
    const target = this.peers.get(dst);
    if (target) return this.deliverRelay(target, src, frame);
    const result = await this.mesh.relay({ t: 'relay', to: dst, src, conn, id, frame });
    return result === 'too_large' ? 'queue_full' : result === 'sent' ? 'sent' : 'accepted';
  }

  /**
   * Only a sender `target` lists (a friend, who sees its presence anyway) learns that it was delivered.
   * Anyone else gets "accepted" whether `target` is online, offline or blocks them, so a relay tells a
   * stranger nothing about it; nothing here depends on how full the queue is, for the same reason.
   */
  deliverRelay(target: Peer, src: string, frame: string): 'delivered' | 'accepted' {
    if (listens(target, src)) {
      this.send(target, frame);
      return 'delivered';
    }
    if (!target.blocked.has(src)) this.send(target, frame);
    return 'accepted';
  }

  private status(peer: Peer, id: string, dst: string, status: RelayStatus, reason?: RelayRejection): void {
    this.send(peer, JSON.stringify(relayStatusFrame(id, dst, status, reason)));
  }

  presence(peer: Peer, online: string[], offline: string[]): void {
    this.send(peer, JSON.stringify(presenceFrame(online, offline)));
  }
}
