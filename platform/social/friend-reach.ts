import type { Timers } from '../timers';
import { failureSentence, isLasting, type LinkFailure } from './link-progress';
import type { FriendPresence } from './social-views';

/** What this side knows of one friend's reachability. */
interface Reach {
  /** The broker reports the friend online. */
  online: boolean;
  /** A connection became ready since the friend came online. */
  reached: boolean;
  /** Failed attempts in a row, and the last one's reason. */
  failures: number;
  failure: LinkFailure | null;
  /** When the first of the failures in a row happened. */
  failingSince: number;
  dialTimer: unknown;
}

/**
 * Attempts have to keep failing this long (and at least three times) before the friend list says "Can't
 * connect": a path lost for a moment (a network blip, a laptop waking) stays "Connecting…", and no
 * attempt tells whether the path is back, so a shorter wait would show it between the attempts that follow.
 */
export const CANT_CONNECT_AFTER_MS = 60_000;
const CANT_CONNECT_AFTER = 3;

export interface FriendReachDeps {
  timers: Timers;
  now(): number;
  /** Waits before redialling, one per failure in a row; the last repeats. */
  redialMs: readonly number[];
  /** A number in [0, 1) for jitter. */
  random(): number;
  /** Added to every redial of `handle`: the side with the larger handle lets the smaller one dial first. */
  headStart(handle: string): number;
  /** A scheduled dial is due and the friend is still online. */
  dial(handle: string): void;
}

/**
 * Per friend: whether the broker reports it online, whether a connection was made since, the
 * failures in a row with the last one's reason, and the next dial. Failures back off from
 * about a second to half a minute while the friend stays online; presence changes and
 * successes start over.
 */
export function createFriendReach(deps: FriendReachDeps) {
  const { timers } = deps;
  const reaches = new Map<string, Reach>();

  const of = (handle: string): Reach => {
    let reach = reaches.get(handle);
    if (!reach) reaches.set(handle, (reach = { online: false, reached: false, failures: 0, failure: null, failingSince: 0, dialTimer: null }));
    return reach;
  };
  const cancel = (reach: Reach): void => {
    timers.clearTimeout(reach.dialTimer);
    reach.dialTimer = null;
  };

  /** Dials `handle` after `delayMs` if it is still online then; replaces any dial scheduled before. */
  function schedule(handle: string, delayMs: number): void {
    const reach = of(handle);
    cancel(reach);
    reach.dialTimer = timers.setTimeout(() => {
      reach.dialTimer = null;
      if (reach.online) deps.dial(handle);
    }, delayMs);
  }

  return {
    schedule,
    isOnline: (handle: string): boolean => reaches.get(handle)?.online ?? false,
    /** Failed attempts in a row since the friend came online or was last reached. */
    failuresOf: (handle: string): number => reaches.get(handle)?.failures ?? 0,
    /** A dial or the friend's own dial is under way: no scheduled dial is needed. */
    cancel: (handle: string) => cancel(of(handle)),
    /** The broker reports `handle` offline: everything about its last session is over. */
    wentOffline(handle: string): boolean {
      const reach = of(handle);
      const was = reach.online;
      cancel(reach);
      Object.assign(reach, { online: false, reached: false, failures: 0, failure: null });
      return was;
    },
    /** Friends the broker reports online. */
    onlineHandles: (): string[] => [...reaches].filter(([, reach]) => reach.online).map(([handle]) => handle),
    /** Failures so far no longer count (the network changed); true when there were any. */
    restart(handle: string): boolean {
      const reach = of(handle);
      if (reach.failures === 0 && !reach.failure) return false;
      if (reach.failure?.kind === 'refused' && reach.failure.lasting) return false; // a new path changes nothing
      cancel(reach);
      Object.assign(reach, { failures: 0, failure: null });
      return true;
    },
    /** The broker (or the friend's dial) says `handle` is online; true when it was not before. */
    cameOnline(handle: string): boolean {
      const reach = of(handle);
      if (reach.online) return false;
      Object.assign(reach, { online: true, failures: 0, failure: null });
      return true;
    },
    reached(handle: string): void {
      const reach = of(handle);
      cancel(reach);
      Object.assign(reach, { reached: true, failures: 0, failure: null });
    },
    /** Counts a failure and schedules the next dial; answers its delay, or null when the friend is offline. */
    failed(handle: string, failure: LinkFailure): number | null {
      const reach = of(handle);
      if (reach.failures === 0) reach.failingSince = deps.now();
      reach.failures += 1;
      // A friend that refused us keeps refusing silently: its refusal stays the reason shown.
      if (!(reach.failure?.kind === 'refused' && !isLasting(failure))) reach.failure = failure;
      if (!reach.online) return null;
      const base = deps.redialMs[Math.min(reach.failures - 1, deps.redialMs.length - 1)] ?? 1000;
      // ±20 % so two sides that failed together do not keep dialling in the same instant.
      // Only this side sees an offer go unanswered; other failures both sides see and redial after.
      const headStart = failure.kind === 'no_answer' ? 0 : deps.headStart(handle);
      const delay = Math.round(base * (0.8 + 0.4 * deps.random())) + headStart;
      schedule(handle, delay);
      return delay;
    },
    /** The friend's Peerwall ended a working connection with a refusal (it paused us): the reason until it accepts us. */
    refused(handle: string, failure: LinkFailure): void {
      const reach = of(handle);
      if (reach.failures === 0) reach.failingSince = deps.now();
      Object.assign(reach, { failure, failures: reach.failures + 1 });
    },
    /** What the friend list says, given the connection's state and whether the friend is paused. */
    presence(handle: string, connection: 'ready' | 'connecting' | 'none', paused: boolean): FriendPresence {
      if (connection === 'ready') return 'online';
      const reach = reaches.get(handle);
      if (!reach?.online) return 'offline';
      // Refused for a lasting reason: the next attempt will be refused too.
      if (paused || (reach.failure?.kind === 'refused' && reach.failure.lasting)) return 'cant_connect';
      // Any other attempt under way may be the one that works (the path came back): only the pause
      // between failed attempts says "Can't connect".
      if (connection === 'connecting') return 'connecting';
      const failingFor = deps.now() - reach.failingSince;
      if (reach.failure && reach.failures >= CANT_CONNECT_AFTER && failingFor >= CANT_CONNECT_AFTER_MS) return 'cant_connect';
      return reach.reached && !reach.failure ? 'online' : 'connecting';
    },
    /** Why a friend the broker reports online cannot be reached, or null. */
    reason(handle: string): string | null {
      const reach = reaches.get(handle);
      return reach?.online && reach.failure ? failureSentence(handle, reach.failure) : null;
    },
    /** Our broker socket is gone: what it told us about presence no longer holds. */
    clear(): void {
      for (const reach of reaches.values()) {
        cancel(reach);
        reach.online = false;
      }
    },
    forget(handle: string): void {
      const reach = reaches.get(handle);
      if (reach) cancel(reach);
      reaches.delete(handle);
    },
    stop(): void {
      for (const reach of reaches.values()) cancel(reach);
    },
  };
}

export type FriendReach = ReturnType<typeof createFriendReach>;
