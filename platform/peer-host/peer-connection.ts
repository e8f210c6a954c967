import { allowFrame, parseServerFrame } from '@/core/signalling';
import { createBrokerClient, isSessionEnded, type FetchFn } from '../broker-client';
import { peerServerOptions } from '../broker-url';
import { SYNC_LABEL, type SocialHooks } from '../ports';
import type { Session } from '../session';
import type { Timers } from '../timers';
import { backoffDelay, type BackoffOptions } from './backoff';
import { judgePeerError } from './broker-refusal';
import type { HostStatus } from './host-status';
import { createPeerAccess } from './peer-access';
import type { PeerFactory, PeerLike } from './peer-port';
import { createTokenRefresh } from './token-refresh';

export interface PeerConnectionOptions {
  /** A connect or reconnect that has not reached `open` by then is abandoned (peerjs #1289). */
  openTimeoutMs: number;
  backoff: BackoffOptions;
  /** Longest single wait between token-expiry checks; long timers drift across sleep. */
  refreshCheckMs: number;
  /** Refresh at most this long before expiry (or at half the token's life if shorter). */
  refreshLeadMs: number;
}

/** What the connection needs of the session it serves (see host-session.ts). */
export interface SessionControl {
  current(): Session | null;
  /** Bumped on sign-in and sign-out: work started for an older session is dropped. */
  epoch(): number;
  /** Gets a fresh token from the broker and keeps it; rejects like the broker client. */
  renew(session: Session): Promise<void>;
  end(reason: string): Promise<void>;
  displace(): Promise<void>;
}

export interface PeerConnectionDeps {
  createPeer: PeerFactory;
  fetch: FetchFn;
  now(): number;
  random(): number;
  timers: Timers;
  options: PeerConnectionOptions;
  status: HostStatus;
  social?: SocialHooks;
  session: SessionControl;
}

/** Handles per list in one PW_ALLOW (docs/signalling.md). */
const ALLOWLIST_MAX = 5000;

export const NOTICES = {
  unreachable: 'Cannot reach the broker. Peerwall keeps trying.',
  expired: 'Your session has expired. Sign in again.',
  invalid: 'The broker no longer accepts this session. Sign in again.',
} as const;

/**
 * The PeerJS peer of the current session (id = handle, token = session JWT): keeps it online
 * with backoff, a watchdog and token refresh, and routes its events to the session and the
 * social layer. Events of a replaced peer are ignored.
 */
export function createPeerConnection(deps: PeerConnectionDeps) {
  const { timers, options, status, session: control } = deps;
  let peer: PeerLike | null = null;
  /** Bumped whenever the current peer is replaced or put on hold. */
  let generation = 0;
  let attempt = 0;
  let needsNewPeer = false;
  let retryTimer: unknown = null;
  let watchdogTimer: unknown = null;

  const live = (): Session | null => {
    const s = control.current();
    return s && !s.displaced ? s : null;
  };
  const clearTimer = (timer: unknown): null => {
    if (timer !== null) timers.clearTimeout(timer);
    return null;
  };

  const refresh = createTokenRefresh({
    timers,
    now: deps.now,
    options,
    current: live,
    renew: (s) => control.renew(s),
    onRenewed: () => {
      needsNewPeer = true; // a PeerJS Peer fixes its token at creation
      teardown();
      retryTimer = clearTimer(retryTimer);
      void connect();
    },
    onRefused: () => void control.end(NOTICES.invalid),
  });

  function teardown(): void {
    generation += 1;
    deps.social?.offline();
    watchdogTimer = clearTimer(watchdogTimer);
    const old = peer;
    peer = null;
    old?.destroy();
  }

  function sendAllowlist(): void {
    const { handles, blocked } = deps.social?.allowlist() ?? { handles: [], blocked: [] };
    // The broker ignores a PW_ALLOW over its limit as a whole.
    peer?.sendToBroker(allowFrame(handles.slice(0, ALLOWLIST_MAX), blocked.slice(0, ALLOWLIST_MAX)));
  }

  function scheduleRetry(): void {
    if (!live() || retryTimer !== null) return;
    watchdogTimer = clearTimer(watchdogTimer);
    const delay = backoffDelay(attempt, deps.random(), options.backoff);
    attempt += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    status.set('offline', NOTICES.unreachable);
  }

  function startWatchdog(gen: number): void {
    watchdogTimer = clearTimer(watchdogTimer);
    watchdogTimer = timers.setTimeout(() => {
      watchdogTimer = null;
      if (gen !== generation) return;
      needsNewPeer = true;
      teardown();
      scheduleRetry();
    }, options.openTimeoutMs);
  }

  async function recoverExpired(): Promise<void> {
    teardown();
    needsNewPeer = true;
    const outcome = await refresh.now();
    if (outcome === 'refused') await control.end(NOTICES.expired);
    else if (outcome === 'failed') scheduleRetry();
    else void connect();
  }

  function bind(target: PeerLike, gen: number): void {
    const current = (): boolean => gen === generation && peer === target;
    target.on('open', () => {
      if (!current()) return;
      watchdogTimer = clearTimer(watchdogTimer);
      attempt = 0;
      needsNewPeer = false;
      status.set('online', null);
      sendAllowlist();
      deps.social?.online();
      refresh.schedule();
    });
    target.on('server-message', (message: unknown) => {
      const frame = current() ? parseServerFrame(message) : null;
      if (frame) deps.social?.serverFrame(frame);
    });
    target.on('error', (error) => {
      if (!current()) return;
      const verdict = judgePeerError(error);
      if (verdict.kind === 'displaced') void control.displace();
      else if (verdict.kind === 'expired') void recoverExpired();
      else if (verdict.kind === 'session_invalid') void control.end(NOTICES.invalid);
      else if (verdict.kind === 'retry') scheduleRetry();
    });
    target.on('disconnected', () => {
      if (!current()) return;
      deps.social?.offline();
      scheduleRetry();
    });
    target.on('close', () => {
      if (!current()) return;
      needsNewPeer = true;
      scheduleRetry();
    });
    target.on('connection', (link) => {
      if (current() && link.label === SYNC_LABEL && deps.social) deps.social.incoming(link);
      else link.close();
    });
  }

  async function connect(): Promise<void> {
    retryTimer = clearTimer(retryTimer);
    const session = live();
    if (!session) return;
    const epoch = control.epoch();
    status.set('connecting');
    if (peer && !needsNewPeer && peer.disconnected && !peer.destroyed) {
      // Keeps open data connections; the watchdog covers reconnects that never open (peerjs #1289).
      startWatchdog(generation);
      peer.reconnect();
      return;
    }
    teardown();
    let iceServers: RTCIceServer[];
    try {
      if (refresh.due()) await refresh.renewNow();
      const fresh = live() ?? session;
      iceServers = await createBrokerClient(fresh.brokerUrl, deps.fetch).iceServers(fresh.token);
    } catch (error) {
      if (epoch !== control.epoch()) return;
      if (isSessionEnded(error)) await control.end(deps.now() >= (live() ?? session).expiresAt ? NOTICES.expired : NOTICES.invalid);
      else scheduleRetry();
      return;
    }
    const current = live();
    if (epoch !== control.epoch() || !current || peer) return;
    generation += 1;
    const gen = generation;
    needsNewPeer = false;
    peer = deps.createPeer(current.handle, { ...peerServerOptions(current.brokerUrl), token: current.token, iceServers });
    bind(peer, gen);
    startWatchdog(gen);
  }

  const access = createPeerAccess({
    fetch: deps.fetch,
    onlinePeer: () => (status.connection === 'online' ? peer : null),
    session: control.current,
    sendAllowlist,
  });

  return {
    access,
    /** Connects with a new peer for a session that just began or was restored. */
    start(): void {
      attempt = 0;
      needsNewPeer = true;
      void connect();
    },
    /** Closes the peer and cancels every timer. */
    stop(): void {
      retryTimer = clearTimer(retryTimer);
      refresh.cancel();
      teardown();
    },
    /** Stops listening to the current peer and its timers (the broker is about to close the socket on purpose). */
    hold(): void {
      generation += 1;
      watchdogTimer = clearTimer(watchdogTimer);
      retryTimer = clearTimer(retryTimer);
    },
    /** Goes back online with a new peer after `hold()`. */
    release(): void {
      needsNewPeer = true;
      void connect();
    },
    /** Skips the backoff wait; an attempt already in flight is left alone. */
    reconnectNow(): void {
      if (live() && status.connection === 'offline') {
        attempt = 0;
        void connect();
      }
    },
  };
}

export type PeerConnection = ReturnType<typeof createPeerConnection>;
