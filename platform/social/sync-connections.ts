import type { Identity, RandomBytes } from '@/core/identity';
import type { Replica } from '@/core/replica';
import type { MediaDeps } from '@/core/syncMedia';
import type { RelayDeps } from '@/core/syncRelay';
import type { SyncEvent } from '@/core/syncSession';
import type { OwnRecovery } from '@/core/ownRecovery';
import type { ForkDeps } from '@/core/syncForks';
import type { Verifier } from '@/core/verifier';
import { PeerwallError } from '../errors';
import type { DataLink, LinkStateChange, PeerAccess } from '../ports';
import type { Timers } from '../timers';
import { createCatchUpTimes } from './catch-up-times';
import { createConnectionLog, type ConnectionEvent } from './connection-log';
import { createConnectionEvents, type Connection } from './connection-events';
import { createDialQueue } from './dial-queue';
import { createFriendReach } from './friend-reach';
import type { LinkLimits } from './link-transport';
import { attemptDeadlines, failureSentence, watchLinkProgress, type AttemptTimeouts, type LinkFailure } from './link-progress';
import { createPeerLimits } from './peer-limits';
import type { FriendPresence } from './social-views';
import { openSyncLink } from './sync-link';

export interface ConnectionOptions extends AttemptTimeouts {
  /** Waits before redialling a friend the broker reports online, one per failure in a row; the last repeats. */
  redialMs: readonly number[];
  /** Close a sync connection after this long without frames. */
  idleMs: number;
  /** A friend who sent invalid data is not accepted again for this long, or until its peer restarts. */
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
  relay: RelayDeps;
  /** Photos (protocol version 4), shared by every session. */
  media?: MediaDeps;
  verifier: Verifier;
  /** The recovery of one's own wall from friends going on now (docs/protocol.md §8), if any. */
  ownRecovery?: () => OwnRecovery | undefined;
  /** Repairing and following forks of walls (§8 Forks), shared by all sessions. */
  forks?: ForkDeps;
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

const LAYER_KIND = { signaling: 'signaling', ice: 'ice', connection: 'dtls' } as const;

export type SyncConnections = ReturnType<typeof createSyncConnections>;

/**
 * Data connections to friends, one core sync session each. Presence from the broker starts a
 * dial (the smaller handle at once, the larger after a pause; at most `maxDials` set-ups at
 * once). Every wait heals: a dial without an answer or a handshake in time, or one closed while
 * being set up, is retried within seconds while the friend is online (friend-reach.ts); a
 * friend's own dial replaces whatever this side still holds, except that when both dial at once
 * the smaller handle's dial wins on both sides. A friend who sends invalid data is paused until
 * its peer restarts. Each friend's last events are kept for "Connection details".
 */
export function createSyncConnections(deps: SyncConnectionsDeps) {
  const { identity, access, timers, options } = deps;
  const me = identity.handle;
  const limits = createPeerLimits(deps.now, options.penaltyMs, options.linkLimits);
  const connections = new Map<string, Connection>();
  const log = createConnectionLog(deps.now);
  const dials = createDialQueue(options.maxDials, (handle) => dialable(handle) && startDial(handle));
  const reach = createFriendReach({
    timers,
    now: deps.now,
    redialMs: options.redialMs,
    random: () => deps.randomBytes(1)[0]! / 256,
    // Both sides redial after a failure; the smaller handle first, so they rarely dial at once.
    headStart: (handle) => headStart(handle),
    dial: (handle) => dial(handle),
  });
  let stopped = false;
  const onSyncEvent = createConnectionEvents({
    log,
    reach,
    penalise: (handle, reason) => penalise(handle, reason),
    releaseDial: (connection) => releaseDial(connection),
    clearTimers: (connection) => clearTimers(connection),
    changed: () => changed(),
    elapsed: (connection) => elapsed(connection),
    onEvent: deps.onEvent,
    addProblem: deps.addProblem,
  });

  /** The larger handle waits this much longer than the smaller before dialling, so they rarely dial at once. */
  const headStart = (handle: string): number => (me < handle ? 0 : options.answerDelayMs);
  const changed = (): void => {
    if (!stopped) deps.onChange();
  };
  const live = (connection: Connection | undefined): connection is Connection =>
    !!connection && !connection.ended && connection.sync.state !== 'closed';
  const elapsed = (connection: Connection): string => `${deps.now() - connection.startedAt} ms`;

  function penalise(handle: string, reason: string): void {
    limits.penalise(handle, reason);
    log.record(handle, 'pause', `Paused @${handle}: ${reason}`);
  }

  function releaseDial(connection: Connection): void {
    if (!connection.counted) return;
    connection.counted = false;
    dials.release();
  }

  function clearTimers(connection: Connection): void {
    for (const timer of connection.timers.splice(0)) timers.clearTimeout(timer);
  }

  /** Ends a connection on purpose (replaced, friend offline, stopped): no failure, no retry. */
  function end(handle: string, connection: Connection, why: string): void {
    if (connection.ended) return;
    connection.ended = true;
    clearTimers(connection);
    log.record(handle, 'closed', why);
    connection.sync.close();
  }

  /** A connection that did not become ready: say why, and try again soon while the friend is online. */
  function fail(handle: string, connection: Connection, failure: LinkFailure): void {
    if (connection.ended) return;
    connection.ended = true;
    clearTimers(connection);
    log.record(handle, 'failed', `${failureSentence(handle, failure)} (after ${elapsed(connection)})`);
    connection.sync.close();
    const delay = stopped ? null : reach.failed(handle, failure);
    if (delay !== null) log.record(handle, 'retry', `Trying again in ${(delay / 1000).toFixed(1)} s.`);
    changed();
  }

  function onLinkClosed(handle: string, connection: Connection, cause: { violation: string | null; idle: boolean }): void {
    if (cause.violation) penalise(handle, cause.violation);
    releaseDial(connection);
    if (connections.get(handle) === connection) connections.delete(handle);
    if (connection.ended) return changed();
    if (!connection.wasReady) return fail(handle, connection, connection.refusal ?? connection.progress.closedEarly());
    connection.ended = true;
    clearTimers(connection);
    // Both sides close a quiet connection after `idleMs`; anything else (the friend's end lost its
    // network path) may have left a post unsent, so dial again while the friend is online.
    const quiet = cause.idle || connection.sync.quietMs() >= options.idleMs / 2;
    log.record(handle, 'closed', quiet ? 'Closed after being idle.' : `The connection to @${handle} closed.`);
    // The friend's Peerwall refused us (e.g. paused us): that stays the reason until it accepts us again.
    if (connection.refusal) reach.refused(handle, connection.refusal);
    else if (!quiet && reach.isOnline(handle)) reach.schedule(handle, (options.redialMs[0] ?? 1000) + headStart(handle));
    changed();
  }

  function attach(handle: string, link: DataLink, outgoing: boolean): Connection {
    const connection = {
      startedAt: deps.now(),
      timers: [],
      counted: false,
      ended: false,
      refusal: null,
      wasReady: false,
      catchUps: createCatchUpTimes(),
    } as unknown as Connection;
    const onState = (change: LinkStateChange) => log.record(handle, LAYER_KIND[change.layer], `${change.layer}: ${change.state} (${elapsed(connection)})`);
    connection.progress = watchLinkProgress(link, outgoing, onState, (failure) => fail(handle, connection, failure));
    link.on('open', () => log.record(handle, 'open', `Data channel open after ${elapsed(connection)}.`));
    connection.sync = openSyncLink(handle, link, outgoing, {
      ...deps,
      idleMs: options.idleMs,
      linkLimits: options.linkLimits,
      budget: limits.budgetOf(handle),
      onEvent: (event) => onSyncEvent(handle, connection, event),
      onClosed: (cause) => onLinkClosed(handle, connection, cause),
    });
    for (const deadline of attemptDeadlines(options, outgoing, reach.failuresOf(handle))) {
      const timer = timers.setTimeout(() => {
        const failure = connection.sync.state === 'connecting' ? deadline.check(connection.progress) : null;
        if (failure) fail(handle, connection, failure);
      }, deadline.atMs);
      connection.timers.push(timer);
    }
    connections.set(handle, connection);
    return connection;
  }

  function dialable(handle: string): boolean {
    if (stopped || !deps.mayConnect(handle) || limits.penalised(handle) || !access.isOnline()) return false;
    return !live(connections.get(handle));
  }

  /** Queues a sync connection to a friend; at most `maxDials` are being set up at once. */
  function dial(handle: string): void {
    if (dialable(handle)) dials.add(handle);
  }

  /** Opens a dial; false when none could start (it then takes no slot). */
  function startDial(handle: string): boolean {
    let link: DataLink;
    try {
      link = access.connect(handle);
    } catch (error) {
      // Offline or signed out: the dial comes back when the broker does. Anything else (the browser's
      // limit on peer connections) is a failure like any other, with its reason and a redial.
      if (!(error instanceof PeerwallError)) {
        const reason = error instanceof Error ? error.message : 'the connection could not be made';
        const failure: LinkFailure = { kind: 'no_room', reason };
        reach.failed(handle, failure);
        log.record(handle, 'failed', failureSentence(handle, failure));
      }
      return false;
    }
    reach.cancel(handle);
    log.record(handle, 'dial', `Dialling @${handle}.`);
    attach(handle, link, true).counted = true;
    changed();
    return true;
  }

  function onOffline(handle: string): void {
    if (reach.wentOffline(handle)) log.record(handle, 'presence', `The broker reports @${handle} offline.`);
    limits.left(handle);
    // The friend's broker socket is gone (browser closed, network lost): a data connection
    // would take up to half a minute to notice by itself, and shows "Online" meanwhile.
    const connection = connections.get(handle);
    if (live(connection)) end(handle, connection, `Closed: @${handle} went offline.`);
  }

  function onOnline(handle: string): void {
    const fresh = reach.cameOnline(handle);
    if (!deps.mayConnect(handle)) return;
    if (fresh) log.record(handle, 'presence', `The broker reports @${handle} online.`);
    if (fresh && limits.returned(handle)) log.record(handle, 'pause', `Pause ended: @${handle} came back with a new session.`);
    const existing = connections.get(handle);
    if (live(existing)) {
      // A dial still unanswered when presence starts over went out through a broker socket that is
      // gone (ours reconnected): its ANSWER cannot come, so dial again now rather than wait it out.
      if (!(fresh && existing.sync.outgoing && existing.sync.state === 'connecting' && !existing.progress.answered)) return;
      end(handle, existing, 'Dropped a dial without an answer: the broker connection it went through is gone.');
    }
    dialOrWait(handle);
  }

  /**
   * Sync goes both ways over one connection, so one side dials: the smaller handle at once,
   * the larger only if no connection came by itself (e.g. the other side cannot reach it).
   */
  function dialOrWait(handle: string): void {
    if (me < handle) dial(handle);
    else reach.schedule(handle, options.answerDelayMs);
  }

  return {
    dial,
    /** Tells friends about a new own entry: announce on open sessions, dial the others. */
    spread(handles: Iterable<string>): void {
      for (const handle of handles) {
        const connection = connections.get(handle);
        if (connection?.sync.state === 'ready' && connection.sync.session) void connection.sync.session.announce();
        else if (reach.isOnline(handle)) dial(handle);
      }
    },
    /** This side's copy of a friend's wall grew (from `from`): friends in session who may read it hear of it. */
    announceWall(wall: string, from: string): void {
      for (const [handle, connection] of connections) {
        if (handle !== from && handle !== wall && connection.sync.state === 'ready') void connection.sync.session?.announceWall(wall);
      }
    },
    onPresence(online: readonly string[], offline: readonly string[]): void {
      for (const handle of offline) onOffline(handle);
      for (const handle of online) onOnline(handle);
      changed();
    },
    presenceOf(handle: string): FriendPresence {
      const connection = connections.get(handle);
      const state = !live(connection) ? 'none' : connection.sync.state === 'ready' ? 'ready' : 'connecting';
      return reach.presence(handle, state, limits.penalised(handle));
    },
    /** Why a friend the broker reports online cannot be reached, or null (a pause says so as a problem). */
    reasonOf: (handle: string): string | null => (limits.penalised(handle) ? null : reach.reason(handle)),
    /** The last events of the connections to `handle`, oldest first. */
    logOf: (handle: string): ConnectionEvent[] => log.events(handle),
    /** An incoming sync connection: accepted from friends only. */
    incoming(link: DataLink): void {
      const handle = link.peer;
      if (stopped || !deps.mayConnect(handle)) return link.close();
      log.record(handle, 'incoming', `@${handle} is dialling.`);
      if (limits.penalised(handle)) {
        log.record(handle, 'refused', `Refused @${handle}’s dial: paused after invalid data.`);
        return link.close();
      }
      const existing = connections.get(handle);
      if (live(existing)) {
        // Both dialled at once: the connection dialled by the smaller handle wins on both sides.
        if (existing.sync.outgoing && existing.sync.state === 'connecting' && me < handle) {
          log.record(handle, 'refused', 'Both dialled at once: kept this side’s dial (the smaller handle’s).');
          return link.close();
        }
        // Otherwise the friend's dial is the news: it no longer has (or never got) what this side holds.
        end(handle, existing, existing.sync.state === 'ready' ? `Replaced: @${handle} dialled again, so their end was gone.` : `Replaced by @${handle}’s dial.`);
      }
      reach.cameOnline(handle);
      reach.cancel(handle);
      attach(handle, link, false);
      changed();
    },
    /** Our broker socket is gone: what it told us about presence no longer holds. */
    clearPresence: () => reach.clear(),
    /**
     * The device's network came back: attempts that failed while it was gone say nothing about now,
     * so friends the broker reports online are dialled afresh instead of after their backoff.
     */
    networkChanged(): void {
      for (const handle of reach.onlineHandles()) {
        if (live(connections.get(handle)) || !deps.mayConnect(handle)) continue;
        if (!reach.restart(handle)) continue;
        log.record(handle, 'retry', 'The network came back: dialling again now.');
        dialOrWait(handle);
      }
      changed();
    },
    /** A sentence about why a friend is refused for now, or null. */
    penaltyOf: limits.sentence,
    /** The person accepted `handle`'s new key: the refusal it caused no longer holds, so dial afresh. */
    keyAccepted(handle: string): void {
      const online = reach.isOnline(handle);
      reach.forget(handle);
      limits.forget(handle);
      const connection = connections.get(handle);
      if (live(connection)) end(handle, connection, 'Closed: the new key was accepted.');
      if (!online) return;
      reach.cameOnline(handle);
      log.record(handle, 'retry', `Accepted @${handle}’s new key: connecting again.`);
      dialOrWait(handle);
      changed();
    },
    /** Ends everything about `handle` (unfriended, blocked). */
    forget(handle: string): void {
      reach.forget(handle);
      limits.forget(handle);
      log.forget(handle);
      const connection = connections.get(handle);
      if (live(connection)) end(handle, connection, 'Closed: no longer friends.');
    },
    stop(): void {
      stopped = true;
      for (const [handle, connection] of [...connections]) end(handle, connection, 'Closed: signed out.');
      reach.stop();
      dials.clear();
    },
  };
}
