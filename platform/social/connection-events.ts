import type { SyncEvent } from '@/core/syncSession';
import { catchUpSentence, type createCatchUpTimes } from './catch-up-times';
import type { ConnectionLog } from './connection-log';
import type { FriendReach } from './friend-reach';
import { refusal, type LinkFailure, type LinkProgress } from './link-progress';
import type { SyncLink } from './sync-link';

/** One sync connection to a friend, as sync-connections.ts keeps it. */
export interface Connection {
  sync: SyncLink;
  progress: LinkProgress;
  startedAt: number;
  timers: unknown[];
  /** Counted against `maxDials` until it is ready or closed. */
  counted: boolean;
  /** This side ended it on purpose, or already counted its failure: its close is no news. */
  ended: boolean;
  /** The session's close, when it closed with a code (the friend's `error` frame, or ours). */
  refusal: LinkFailure | null;
  wasReady: boolean;
  catchUps: ReturnType<typeof createCatchUpTimes>;
}

/** Codes that say the friend sent invalid data: after the handshake such a friend is paused. */
const PROTOCOL_FAULTS = new Set(['bad_message', 'too_large', 'bad_auth', 'invalid_batch', 'not_allowed', 'wrong_peer']);

export interface ConnectionEventsDeps {
  log: Pick<ConnectionLog, 'record'>;
  reach: Pick<FriendReach, 'reached'>;
  penalise(handle: string, reason: string): void;
  releaseDial(connection: Connection): void;
  clearTimers(connection: Connection): void;
  changed(): void;
  elapsed(connection: Connection): string;
  onEvent(handle: string, event: SyncEvent): void;
  addProblem(sentence: string): void;
}

/**
 * What a connection's sync events mean for it (docs/protocol.md §7): ready ends its dial and its backoff, a
 * close with a code is the reason a retry shows (and pauses a friend whose data turned out invalid), catch-up
 * figures and refusals go to "Connection details". Every event also goes on to `onEvent`.
 */
export function createConnectionEvents(deps: ConnectionEventsDeps) {
  const { log, reach, changed, elapsed } = deps;
  return function onSyncEvent(handle: string, connection: Connection, event: SyncEvent): void {
    deps.onEvent(handle, event);
    if (event.type === 'ready') {
      connection.wasReady = true;
      connection.sync.markReady();
      deps.clearTimers(connection);
      deps.releaseDial(connection);
      reach.reached(handle);
      log.record(handle, 'ready', `Handshake done (protocol ${event.version}) after ${elapsed(connection)}.`);
      changed();
    } else if (event.type === 'closed') {
      // Closes without a code are logged once, by whoever ends the link (end, fail, onLinkClosed).
      if (event.code) log.record(handle, 'closed', `${event.reason} (${event.code})`);
      if (event.code) connection.refusal = refusal(event.code, event.reason, connection.wasReady);
      // A fault during the handshake costs one short-lived attempt, already spaced by the backoff; a
      // friend whose data turns out invalid after it is pauses (a bug there would otherwise repeat).
      if (connection.wasReady && !event.byPeer && event.code !== null && PROTOCOL_FAULTS.has(event.code)) deps.penalise(handle, event.reason);
      if (event.storageFull) deps.addProblem(storageFullSentence(handle));
    } else if (event.type === 'batchStored') {
      connection.catchUps.add(event);
    } else if (event.type === 'upToDate') {
      // Only the catch-up on connecting: live posts after it would push the dials out of the log.
      const figures = connection.catchUps.finish(event.wall);
      if (figures) log.record(handle, 'sync', catchUpSentence(figures), figures);
    } else if (event.type === 'relayRefused') {
      log.record(handle, 'refused', `Did not pass @${event.wall}’s wall on to @${handle}: ${event.reason}.`);
    } else if (event.type === 'keyChanged' || event.type === 'keyRotated') {
      changed();
    }
  };
}

function storageFullSentence(handle: string): string {
  return `Your browser’s storage is full, so new posts from @${handle} could not be saved. Nothing was lost; free some disk space and Peerwall fetches them again.`;
}
