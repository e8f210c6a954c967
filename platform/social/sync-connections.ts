import type { Identity, RandomBytes } from '@/core/identity';
import { decodeMessage } from '@/core/messages';
import type { Replica } from '@/core/replica';
import { createSyncSession, type SyncEvent, type SyncSession } from '@/core/syncSession';
import type { Transport } from '@/core/transport';
import type { ContentDb } from '../content-db';
import type { DataLink } from '../peer-host/peer-port';
import type { Timers } from '../peer-host/timers';
import { createLinkTransport, createPeerBudget, type LinkLimits, type PeerBudget } from './link-transport';
import type { FriendPresence } from './social-views';

/** What the connection layer needs from the peer host. */
export interface LinkAccess {
  isOnline(): boolean;
  /** Opens a sync data connection; throws when offline. */
  connect(handle: string): DataLink;
}

export interface ConnectionOptions {
  /** A dial that has not finished the handshake by then counts as "can't connect". */
  dialTimeoutMs: number;
  /** Redial a friend the broker reports online but who could not be reached. */
  redialMs: number;
  /** Close a sync connection after this long without frames. */
  idleMs: number;
  /** A friend who sent invalid data is not accepted again for this long. */
  penaltyMs: number;
  /** Connections being set up at once; further dials wait their turn (500 friends, 150 online). */
  maxDials: number;
  /** When a friend with the larger handle comes online, the smaller side dials; the larger waits this long first. */
  answerDelayMs: number;
  linkLimits: LinkLimits;
}

export interface SyncConnectionsDeps {
  replica: Replica;
  identity: Identity;
  /** For what each friend's copy of our wall holds (`progress`). */
  db: ContentDb;
  access: LinkAccess;
  now(): number;
  randomBytes: RandomBytes;
  timers: Timers;
  options: ConnectionOptions;
  /** A friend, not blocked, account not deleted. */
  mayConnect(handle: string): boolean;
  /** Every sync event, for notifications and the UI. */
  onEvent(handle: string, event: SyncEvent): void;
  onChange(): void;
  addProblem(sentence: string): void;
}

interface Connection {
  link: DataLink;
  outgoing: boolean;
  state: 'connecting' | 'ready' | 'closed';
  session: SyncSession | null;
  dialTimer: unknown;
  idleTimer: unknown;
  /** Counted against `maxDials` until it is ready or closed. */
  counted: boolean;
  /** The friend closed with an `error` frame: a complaint about us, not invalid data from them. */
  closedByPeer: boolean;
}

const PROTOCOL_FAULTS = new Set(['bad_message', 'too_large', 'bad_auth', 'invalid_batch', 'not_allowed', 'wrong_peer']);

export type SyncConnections = ReturnType<typeof createSyncConnections>;

/**
 * Data connections to friends, one core sync session each: friend-scoped presence from the
 * broker decides when to dial (the smaller handle dials, at most `maxDials` set-ups at once),
 * idle connections close, a failed dial shows as "can't connect" and is retried, and a friend
 * who sends invalid data or exceeds the per-peer limits is refused for a while.
 */
export function createSyncConnections(deps: SyncConnectionsDeps) {
  const { replica, identity, db, access, timers, options } = deps;
  const me = identity.handle;
  const presence = new Map<string, boolean>();
  const reachable = new Map<string, boolean>();
  const penalties = new Map<string, { until: number; reason: string }>();
  const connections = new Map<string, Connection>();
  /** Per friend, not per connection: a friend who reconnects keeps using the same allowance. */
  const budgets = new Map<string, PeerBudget>();
  const redialTimers = new Map<string, unknown>();
  const dialQueue: string[] = [];
  let dialing = 0;
  let stopped = false;

  const changed = (): void => {
    if (!stopped) deps.onChange();
  };

  function penalised(handle: string): boolean {
    const penalty = penalties.get(handle);
    return !!penalty && penalty.until > deps.now();
  }

  function releaseDial(connection: Connection): void {
    if (!connection.counted) return;
    connection.counted = false;
    dialing -= 1;
    pumpDials();
  }

  function closeConnection(handle: string, connection: Connection): void {
    if (connection.state === 'closed') return;
    connection.state = 'closed';
    releaseDial(connection);
    timers.clearTimeout(connection.dialTimer);
    timers.clearTimeout(connection.idleTimer);
    if (connections.get(handle) === connection) connections.delete(handle);
    connection.session?.close();
    connection.link.close();
  }

  function touch(handle: string, connection: Connection): void {
    timers.clearTimeout(connection.idleTimer);
    connection.idleTimer = timers.setTimeout(() => {
      if (connection.session?.settled() !== false) closeConnection(handle, connection);
      else touch(handle, connection);
    }, options.idleMs);
  }

  async function recordProgress(handle: string, seq: number): Promise<void> {
    const current = (await db.get('progress', handle))?.heldSeq ?? 0;
    if (seq > current) {
      await db.put('progress', { handle, heldSeq: seq });
      changed();
    }
  }

  /** Watches our own wall's traffic to learn how far each friend's copy reaches, and notes a friend's `error` frame. */
  function observe(handle: string, connection: Connection, frame: Uint8Array, direction: 'in' | 'out'): void {
    const tag = frame[0];
    if (!(direction === 'in' && (tag === 16 || tag === 3)) && !(direction === 'out' && tag === 17)) return;
    const decoded = decodeMessage(frame);
    if (!decoded.ok) return;
    const m = decoded.value;
    if (m.type === 'error') connection.closedByPeer = true;
    if (m.type === 'want' && m.wall === me) void recordProgress(handle, m.afterSeq).catch(() => undefined);
    if (m.type === 'batch' && m.wall === me && m.entries.length > 0) {
      void recordProgress(handle, m.entries[m.entries.length - 1]!.seq).catch(() => undefined);
    }
  }

  function onSyncEvent(handle: string, connection: Connection, transport: { violation: string | null }, event: SyncEvent): void {
    deps.onEvent(handle, event);
    switch (event.type) {
      case 'ready':
        connection.state = 'ready';
        timers.clearTimeout(connection.dialTimer);
        releaseDial(connection);
        reachable.set(handle, true);
        changed();
        return;
      case 'closed': {
        const theirFault = !connection.closedByPeer && event.code !== null && PROTOCOL_FAULTS.has(event.code);
        const reason = transport.violation ?? (theirFault ? event.reason : null);
        if (reason) {
          penalties.set(handle, { until: deps.now() + options.penaltyMs, reason });
        }
        if (/quota/i.test(event.reason)) deps.addProblem(storageFullSentence(handle));
        closeConnection(handle, connection);
        changed();
        return;
      }
      default:
        changed();
    }
  }

  function attach(handle: string, link: DataLink, outgoing: boolean): Connection {
    const connection: Connection = {
      link,
      outgoing,
      state: 'connecting',
      session: null,
      dialTimer: null,
      idleTimer: null,
      counted: false,
      closedByPeer: false,
    };
    connections.set(handle, connection);
    let budget = budgets.get(handle);
    if (!budget) {
      budget = createPeerBudget(handle, deps.now, options.linkLimits);
      budgets.set(handle, budget);
    }
    const raw = createLinkTransport(link, deps.now, options.linkLimits, budget);
    const transport: Transport = {
      send(frame) {
        observe(handle, connection, frame, 'out');
        touch(handle, connection);
        raw.send(frame);
      },
      onFrame(handler) {
        raw.onFrame((frame) => {
          touch(handle, connection);
          observe(handle, connection, frame, 'in');
          handler(frame);
        });
      },
      onClose: (handler) => raw.onClose(handler),
      close: () => raw.close(),
    };
    raw.onClose(() => {
      if (connection.state === 'closed') return;
      if (raw.violation) penalties.set(handle, { until: deps.now() + options.penaltyMs, reason: raw.violation });
      closeConnection(handle, connection);
      changed();
    });
    link.on('open', () => {
      if (connection.state === 'closed') return;
      const fingerprints = link.fingerprints?.() ?? null;
      if (!fingerprints) {
        // Without the DTLS fingerprints the handshake cannot bind to this connection (§7.2).
        closeConnection(handle, connection);
        return;
      }
      const session = createSyncSession({
        replica,
        identity,
        peer: handle,
        transport,
        localFingerprint: fingerprints.local,
        remoteFingerprint: fingerprints.remote,
        randomBytes: deps.randomBytes,
        now: deps.now,
        onEvent: (event) => onSyncEvent(handle, connection, raw, event),
      });
      connection.session = session;
      touch(handle, connection);
      session.start();
    });
    return connection;
  }

  /** Dials `handle` after `delayMs` if the broker still reports it online then. */
  function scheduleDial(handle: string, delayMs: number): void {
    timers.clearTimeout(redialTimers.get(handle));
    redialTimers.set(
      handle,
      timers.setTimeout(() => {
        redialTimers.delete(handle);
        if (presence.get(handle)) dial(handle);
      }, delayMs),
    );
  }

  function dialable(handle: string): boolean {
    if (stopped || !deps.mayConnect(handle) || penalised(handle)) return false;
    if (!access.isOnline()) return false;
    const existing = connections.get(handle);
    return !existing || existing.state === 'closed';
  }

  /** Queues a sync connection to a friend; at most `maxDials` are being set up at once. */
  function dial(handle: string): void {
    if (!dialable(handle) || dialQueue.includes(handle)) return;
    dialQueue.push(handle);
    pumpDials();
  }

  function pumpDials(): void {
    while (dialing < options.maxDials && dialQueue.length > 0) {
      const handle = dialQueue.shift()!;
      if (dialable(handle)) startDial(handle);
    }
  }

  function startDial(handle: string): void {
    let link: DataLink;
    try {
      link = access.connect(handle);
    } catch {
      return;
    }
    const connection = attach(handle, link, true);
    connection.counted = true;
    dialing += 1;
    link.on('error', () => {
      if (connection.state === 'ready' || connection.state === 'closed') return;
      reachable.set(handle, false);
      closeConnection(handle, connection);
      scheduleDial(handle, options.redialMs);
      changed();
    });
    giveUpUnlessReady(handle, connection);
    changed();
  }

  /** A connection that has not finished the handshake in time means "can't connect" (ICE failed). */
  function giveUpUnlessReady(handle: string, connection: Connection): void {
    connection.dialTimer = timers.setTimeout(() => {
      if (connection.state !== 'connecting') return;
      reachable.set(handle, false);
      closeConnection(handle, connection);
      scheduleDial(handle, options.redialMs);
      changed();
    }, options.dialTimeoutMs);
  }

  /** Tells friends about a new own entry: announce on open sessions, dial the others. */
  function spread(handles: Iterable<string>): void {
    for (const handle of handles) {
      const connection = connections.get(handle);
      if (connection?.state === 'ready' && connection.session) void connection.session.announce();
      else if (presence.get(handle)) dial(handle);
    }
  }


  function onPresence(online: readonly string[], offline: readonly string[]): void {
    for (const handle of offline) {
      presence.set(handle, false);
      timers.clearTimeout(redialTimers.get(handle));
      // The friend's broker socket is gone (browser closed, network lost): a data connection
      // would take up to half a minute to notice by itself, and shows "Online" meanwhile.
      const connection = connections.get(handle);
      if (connection) closeConnection(handle, connection);
    }
    for (const handle of online) {
      const was = presence.get(handle);
      presence.set(handle, true);
      if (was || !deps.mayConnect(handle)) continue;
      // Sync goes both ways over one connection, so one side dials: the smaller handle at once,
      // the larger only if no connection came by itself (e.g. the other side cannot reach it).
      if (me < handle) dial(handle);
      else scheduleDial(handle, options.answerDelayMs);
    }
    changed();
  }

  function presenceOf(handle: string): FriendPresence {
    const connection = connections.get(handle);
    if (connection?.state === 'ready') return 'online';
    if (!presence.get(handle)) return 'offline';
    if (reachable.get(handle) === false) return 'cant_connect';
    if (connection?.state === 'connecting' || reachable.get(handle) === undefined) return 'connecting';
    return 'online';
  }

  /** An incoming sync connection: accepted from friends only. */
  function incoming(link: DataLink): void {
    const handle = link.peer;
    if (stopped || !deps.mayConnect(handle) || penalised(handle)) {
      link.close();
      return;
    }
    const existing = connections.get(handle);
    if (existing && existing.state !== 'closed') {
      // Both dialled at once: the connection dialled by the smaller handle wins on both sides.
      if (existing.outgoing && me < handle) {
        link.close();
        return;
      }
      closeConnection(handle, existing);
    }
    presence.set(handle, true);
    // PeerJS hands over an incoming connection before ICE; if it never opens, this side must
    // say "can't connect" too (and dial itself later), not "Connecting…" for ever.
    giveUpUnlessReady(handle, attach(handle, link, false));
    changed();
  }

  return {
    dial,
    incoming,
    spread,
    onPresence,
    presenceOf,
    /** Our broker socket is gone: what it told us about presence no longer holds. */
    clearPresence(): void {
      presence.clear();
    },
    /** A sentence about why a friend is refused for now, or null. */
    penaltyOf(handle: string): string | null {
      const penalty = penalties.get(handle);
      return penalty && penalty.until > deps.now() ? `Paused: ${penalty.reason}` : null;
    },
    /** Ends everything about `handle` (unfriended, blocked). */
    forget(handle: string): void {
      presence.delete(handle);
      reachable.delete(handle);
      budgets.delete(handle);
      const connection = connections.get(handle);
      if (connection) closeConnection(handle, connection);
    },
    stop(): void {
      stopped = true;
      for (const [handle, connection] of connections) closeConnection(handle, connection);
      for (const timer of redialTimers.values()) timers.clearTimeout(timer);
      redialTimers.clear();
      dialQueue.length = 0;
    },
  };
}

function storageFullSentence(handle: string): string {
  return `Your browser’s storage is full, so new posts from @${handle} could not be saved. Nothing was lost; free some disk space and Peerwall fetches them again.`;
}
