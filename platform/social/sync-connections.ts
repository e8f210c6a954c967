import type { Identity, RandomBytes } from '@/core/identity';
import type { Replica } from '@/core/replica';
import type { SyncEvent } from '@/core/syncSession';
import type { DataLink, PeerAccess } from '../ports';
import type { Timers } from '../timers';
import { createDialQueue } from './dial-queue';
import type { LinkLimits } from './link-transport';
import { createPeerLimits } from './peer-limits';
import type { FriendPresence } from './social-views';
import { openSyncLink, type SyncLink } from './sync-link';

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
  access: Pick<PeerAccess, 'isOnline' | 'connect'>;
  now(): number;
  randomBytes: RandomBytes;
  timers: Timers;
  options: ConnectionOptions;
  /** A friend, not blocked, account not deleted. */
  mayConnect(handle: string): boolean;
  /** Every sync event, for storage of progress, notifications and the UI. */
  onEvent(handle: string, event: SyncEvent): void;
  /** Presence or connection state of some friend changed. */
  onChange(): void;
  addProblem(sentence: string): void;
}

interface Connection {
  sync: SyncLink;
  dialTimer: unknown;
  /** Counted against `maxDials` until it is ready or closed. */
  counted: boolean;
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
  const { identity, access, timers, options } = deps;
  const me = identity.handle;
  const presence = new Map<string, boolean>();
  const reachable = new Map<string, boolean>();
  const limits = createPeerLimits(deps.now, options.penaltyMs, options.linkLimits);
  const connections = new Map<string, Connection>();
  const redialTimers = new Map<string, unknown>();
  const dials = createDialQueue(options.maxDials, (handle) => dialable(handle) && startDial(handle));
  let stopped = false;

  const changed = (): void => {
    if (!stopped) deps.onChange();
  };

  const { penalised, penalise } = limits;

  function releaseDial(connection: Connection): void {
    if (!connection.counted) return;
    connection.counted = false;
    dials.release();
  }

  /** Forgets a connection that ended (its link closes itself). */
  function detach(handle: string, connection: Connection): void {
    releaseDial(connection);
    timers.clearTimeout(connection.dialTimer);
    if (connections.get(handle) === connection) connections.delete(handle);
  }

  function onSyncEvent(handle: string, connection: Connection, event: SyncEvent): void {
    deps.onEvent(handle, event);
    if (event.type === 'ready') {
      connection.sync.markReady();
      timers.clearTimeout(connection.dialTimer);
      releaseDial(connection);
      reachable.set(handle, true);
      changed();
    } else if (event.type === 'closed') {
      const theirFault = !event.byPeer && event.code !== null && PROTOCOL_FAULTS.has(event.code);
      if (theirFault) penalise(handle, event.reason);
      if (event.storageFull) deps.addProblem(storageFullSentence(handle));
    } else if (event.type === 'keyChanged' || event.type === 'keyRotated') {
      changed();
    }
  }

  function attach(handle: string, link: DataLink, outgoing: boolean): Connection {
    const connection = {} as Connection;
    const sync = openSyncLink(handle, link, outgoing, {
      ...deps,
      idleMs: options.idleMs,
      linkLimits: options.linkLimits,
      budget: limits.budgetOf(handle),
      onEvent: (event) => onSyncEvent(handle, connection, event),
      onClosed(violation) {
        if (violation) penalise(handle, violation);
        detach(handle, connection);
        changed();
      },
    });
    Object.assign(connection, { sync, dialTimer: null, counted: false });
    connections.set(handle, connection);
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
    if (stopped || !deps.mayConnect(handle) || penalised(handle) || !access.isOnline()) return false;
    const existing = connections.get(handle);
    return !existing || existing.sync.state === 'closed';
  }

  /** Queues a sync connection to a friend; at most `maxDials` are being set up at once. */
  function dial(handle: string): void {
    if (dialable(handle)) dials.add(handle);
  }

  /** A connection that failed, or has not finished the handshake in time, means "can't connect" (ICE failed). */
  function failed(handle: string, connection: Connection): void {
    reachable.set(handle, false);
    connection.sync.close();
    scheduleDial(handle, options.redialMs);
    changed();
  }

  function giveUpUnlessReady(handle: string, connection: Connection): void {
    connection.dialTimer = timers.setTimeout(() => {
      if (connection.sync.state === 'connecting') failed(handle, connection);
    }, options.dialTimeoutMs);
  }

  /** Opens a dial; false when none could start (it then takes no slot). */
  function startDial(handle: string): boolean {
    let link: DataLink;
    try {
      link = access.connect(handle);
    } catch {
      return false;
    }
    const connection = attach(handle, link, true);
    connection.counted = true;
    link.on('error', () => {
      if (connection.sync.state === 'connecting') failed(handle, connection);
    });
    giveUpUnlessReady(handle, connection);
    changed();
    return true;
  }

  return {
    dial,
    /** Tells friends about a new own entry: announce on open sessions, dial the others. */
    spread(handles: Iterable<string>): void {
      for (const handle of handles) {
        const connection = connections.get(handle);
        if (connection?.sync.state === 'ready' && connection.sync.session) void connection.sync.session.announce();
        else if (presence.get(handle)) dial(handle);
      }
    },
    onPresence(online: readonly string[], offline: readonly string[]): void {
      for (const handle of offline) {
        presence.set(handle, false);
        timers.clearTimeout(redialTimers.get(handle));
        // The friend's broker socket is gone (browser closed, network lost): a data connection
        // would take up to half a minute to notice by itself, and shows "Online" meanwhile.
        connections.get(handle)?.sync.close();
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
    },
    presenceOf(handle: string): FriendPresence {
      const connection = connections.get(handle);
      if (connection?.sync.state === 'ready') return 'online';
      if (!presence.get(handle)) return 'offline';
      if (reachable.get(handle) === false) return 'cant_connect';
      if (connection?.sync.state === 'connecting' || reachable.get(handle) === undefined) return 'connecting';
      return 'online';
    },
    /** An incoming sync connection: accepted from friends only. */
    incoming(link: DataLink): void {
      const handle = link.peer;
      if (stopped || !deps.mayConnect(handle) || penalised(handle)) {
        link.close();
        return;
      }
      const existing = connections.get(handle);
      if (existing && existing.sync.state !== 'closed') {
        // Both dialled at once: the connection dialled by the smaller handle wins on both sides.
        if (existing.sync.outgoing && me < handle) {
          link.close();
          return;
        }
        existing.sync.close();
      }
      presence.set(handle, true);
      // PeerJS hands over an incoming connection before ICE; if it never opens, this side must
      // say "can't connect" too (and dial itself later), not "Connecting…" for ever.
      giveUpUnlessReady(handle, attach(handle, link, false));
      changed();
    },
    /** Our broker socket is gone: what it told us about presence no longer holds. */
    clearPresence(): void {
      presence.clear();
    },
    /** A sentence about why a friend is refused for now, or null. */
    penaltyOf: limits.sentence,
    /** Ends everything about `handle` (unfriended, blocked). */
    forget(handle: string): void {
      presence.delete(handle);
      reachable.delete(handle);
      limits.forget(handle);
      connections.get(handle)?.sync.close();
    },
    stop(): void {
      stopped = true;
      for (const connection of [...connections.values()]) connection.sync.close();
      for (const timer of redialTimers.values()) timers.clearTimeout(timer);
      redialTimers.clear();
      dials.clear();
    },
  };
}

function storageFullSentence(handle: string): string {
  return `Your browser’s storage is full, so new posts from @${handle} could not be saved. Nothing was lost; free some disk space and Peerwall fetches them again.`;
}
