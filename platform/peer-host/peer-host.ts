import { HANDLE_RULE, parseHandle } from '@/core/handle';
import { createBrokerClient, isSessionEnded, type BrokerClient, type FetchFn } from '../broker-client';
import { parseBrokerUrl, peerServerOptions } from '../broker-url';
import { PeerwallError } from '../errors';
import type { ConnectionState, Credentials, HostState } from '../messages';
import type { Session } from '../session';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { judgePeerError } from './broker-refusal';
import { normaliseContacts } from './contact-list';
import { answerPings, runProbe } from './ping';
import { createProbeRegistry } from './probe-registry';
import { refreshDueAt as dueAt } from './token-timing';
import { SYNC_LABEL, type PeerErrorInfo, type PeerFactory, type PeerLike } from './peer-port';
import type { SocialHooks } from '../social/social-host';
import type { PeerAccess } from '../social/social-service';
import type { Timers } from './timers';

export interface SessionStore {
  load(): Promise<Session | null>;
  save(session: Session | null): Promise<void>;
}

/** Handles allowed to signal to us (PW_ALLOW); the friends issue replaces these with friends. */
export interface ContactStore {
  load(handle: string): Promise<string[]>;
  save(handle: string, handles: string[]): Promise<void>;
}

export interface PeerHostOptions {
  /** A connect or reconnect that has not reached `open` by then is abandoned (peerjs #1289). */
  openTimeoutMs: number;
  probeTimeoutMs: number;
  backoff: BackoffOptions;
  /** Longest single wait between token-expiry checks; long timers drift across sleep. */
  refreshCheckMs: number;
  /** Refresh at most this long before expiry (or at half the token's life if shorter). */
  refreshLeadMs: number;
}

export interface PeerHostDeps {
  createPeer: PeerFactory;
  fetch: FetchFn;
  sessions: SessionStore;
  contacts: ContactStore;
  now(): number;
  random(): number;
  timers: Timers;
  onStateChange(state: HostState): void;
  /** Friends, walls and sync (issue 5); absent in tests of the connection logic alone. */
  social?: SocialHooks;
  options?: Partial<PeerHostOptions>;
}

export interface PeerHost {
  start(): Promise<void>;
  getState(): HostState;
  signIn(credentials: Credentials): Promise<HostState>;
  createAccount(credentials: Credentials): Promise<HostState>;
  signOut(): Promise<HostState>;
  reconnectNow(): HostState;
  setContacts(handles: string[]): Promise<{ count: number }>;
  probe(handle: string): Promise<{ rttMs: number }>;
  /** Deletes the broker account, sends a goodbye to connected friends and signs out. */
  deleteAccount(password: string): Promise<HostState>;
  /** Called with `navigator.onLine` changes: coming back online retries at once. */
  networkChanged(online: boolean): void;
  stop(): void;
}

const DEFAULTS: PeerHostOptions = {
  openTimeoutMs: 20_000,
  probeTimeoutMs: 15_000,
  backoff: DEFAULT_BACKOFF,
  refreshCheckMs: 60 * 60_000,
  refreshLeadMs: 7 * 24 * 60 * 60_000,
};
const REFRESH_RETRY_MS = 5 * 60_000;
/** Handles per list in one PW_ALLOW (docs/signalling.md). */
const ALLOWLIST_MAX = 5000;

const NOTICES = {
  unreachable: 'Cannot reach the broker. Peerwall keeps trying.',
  expired: 'Your session has expired. Sign in again.',
  invalid: 'The broker no longer accepts this session. Sign in again.',
} as const;

/**
 * The peer host: owns the session and the PeerJS peer (id = handle, token = session JWT),
 * keeps it online with backoff, a watchdog and token refresh, and stays offline once the
 * broker reports a newer sign-in elsewhere. Everything it touches is passed in.
 *
 * One state machine, so one closure: its timers, the current peer and the session change
 * together, and splitting them would spread the invariants across files.
 */
export function createPeerHost(deps: PeerHostDeps): PeerHost {
  const options: PeerHostOptions = { ...DEFAULTS, ...deps.options };
  const { timers } = deps;

  let session: Session | null = null;
  let contacts: string[] = [];
  let connection: ConnectionState = 'offline';
  let notice: string | null = null;
  /** Why friends and posts are unavailable this session (their storage failed to open), or null. */
  let socialProblem: string | null = null;
  let peer: PeerLike | null = null;
  /** Bumped whenever the current peer is replaced; events of older peers are ignored. */
  let generation = 0;
  /** Bumped on sign-in / sign-out so work started for an older session is dropped. */
  let epoch = 0;
  let attempt = 0;
  let needsNewPeer = false;
  let retryTimer: unknown = null;
  let watchdogTimer: unknown = null;
  let refreshTimer: unknown = null;
  const probes = createProbeRegistry();
  let probeCounter = 0;

  const client = (): BrokerClient => {
    if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
    return createBrokerClient(session.brokerUrl, deps.fetch);
  };

  function getState(): HostState {
    return {
      handle: session?.handle ?? null,
      connection,
      brokerUrl: session?.brokerUrl ?? null,
      notice: notice ?? socialProblem,
      contacts: contacts.length,
    };
  }

  let lastEmitted = '';
  function emit(): void {
    const state = getState();
    const key = JSON.stringify(state);
    if (key === lastEmitted) return;
    lastEmitted = key;
    deps.onStateChange(state);
  }

  function setConnection(next: ConnectionState, nextNotice: string | null = notice): void {
    connection = next;
    notice = nextNotice;
    emit();
  }

  function clearTimer(timer: unknown): null {
    if (timer !== null) timers.clearTimeout(timer);
    return null;
  }

  function teardownPeer(): void {
    generation += 1;
    deps.social?.offline();
    watchdogTimer = clearTimer(watchdogTimer);
    const old = peer;
    peer = null;
    probes.fail(new PeerwallError('offline', 'The connection to the broker was lost during the check. Try again.'));
    old?.destroy();
  }

  function stopAll(): void {
    retryTimer = clearTimer(retryTimer);
    refreshTimer = clearTimer(refreshTimer);
    teardownPeer();
  }

  /** Contacts plus friends and pending requests; blocked handles are never allowed. */
  function allowlist(): { handles: string[]; blocked: string[] } {
    const social = deps.social?.allowlist() ?? { handles: [], blocked: [] };
    const blocked = new Set(social.blocked);
    // The broker ignores a PW_ALLOW over its limit as a whole, so friends come first.
    const handles = [...new Set([...social.handles, ...contacts])].filter((h) => !blocked.has(h)).slice(0, ALLOWLIST_MAX);
    return { handles: handles.sort(), blocked: social.blocked.slice(0, ALLOWLIST_MAX) };
  }

  function sendAllowlist(): void {
    peer?.sendToBroker({ type: 'PW_ALLOW', payload: allowlist() });
  }

  const access: PeerAccess = {
    isOnline: () => connection === 'online' && peer !== null,
    sendToBroker: (frame) => peer?.sendToBroker(frame),
    connect(handle) {
      if (connection !== 'online' || !peer) throw new PeerwallError('offline', 'You are offline.');
      return peer.connect(handle, { sync: true });
    },
    allowlistChanged: () => {
      if (connection === 'online') sendAllowlist();
    },
    lookupHandle: async (handle) => {
      if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
      await client().lookupHandle(session.token, handle);
    },
  };

  /** Opens the account's friends and walls; a storage failure is reported, not fatal to signing in. */
  async function beginSocial(handle: string): Promise<void> {
    socialProblem = null;
    try {
      await deps.social?.begin(handle, access);
    } catch (error) {
      console.error('[peerwall] Could not open friends and walls', error);
      socialProblem =
        'Peerwall could not open its storage for friends and posts. Restart the browser; if it keeps happening, check free disk space.';
    }
  }

  function scheduleRetry(): void {
    if (!session || session.displaced || retryTimer !== null) return;
    watchdogTimer = clearTimer(watchdogTimer);
    const delay = backoffDelay(attempt, deps.random(), options.backoff);
    attempt += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    setConnection('offline', NOTICES.unreachable);
  }

  function startWatchdog(gen: number): void {
    watchdogTimer = clearTimer(watchdogTimer);
    watchdogTimer = timers.setTimeout(() => {
      watchdogTimer = null;
      if (gen !== generation) return;
      needsNewPeer = true;
      teardownPeer();
      scheduleRetry();
    }, options.openTimeoutMs);
  }

  async function endSession(reason: string | null): Promise<void> {
    epoch += 1;
    stopAll();
    deps.social?.end();
    socialProblem = null;
    session = null;
    contacts = [];
    attempt = 0;
    setConnection('offline', reason);
    await deps.sessions.save(null);
  }

  async function displace(): Promise<void> {
    if (!session) return;
    stopAll();
    session = { ...session, displaced: true };
    setConnection(
      'signed_in_elsewhere',
      `@${session.handle} signed in on another device or browser, so Peerwall stays offline here. Sign out, then sign in again to use it here.`,
    );
    await deps.sessions.save(session);
  }

  const refreshDueAt = (s: Session): number => dueAt(s, options.refreshLeadMs);

  /** Replaces the token; a PeerJS Peer fixes its token at creation, so callers build a new Peer. */
  async function refreshToken(): Promise<void> {
    const current = session;
    if (!current) return;
    const startedEpoch = epoch;
    const grant = await client().refresh(current.token);
    if (startedEpoch !== epoch || !session) return;
    session = { ...session, token: grant.token, expiresAt: grant.expiresAt, obtainedAt: deps.now() };
    await deps.sessions.save(session);
  }

  function scheduleRefreshCheck(delayMs?: number): void {
    refreshTimer = clearTimer(refreshTimer);
    if (!session || session.displaced) return;
    const wait = delayMs ?? Math.max(0, refreshDueAt(session) - deps.now());
    refreshTimer = timers.setTimeout(() => {
      refreshTimer = null;
      void refreshCheck();
    }, Math.min(wait, options.refreshCheckMs));
  }

  async function refreshCheck(): Promise<void> {
    if (!session || session.displaced) return;
    if (deps.now() < refreshDueAt(session)) {
      scheduleRefreshCheck();
      return;
    }
    try {
      await refreshToken();
    } catch (error) {
      if (isSessionEnded(error)) await endSession(NOTICES.invalid);
      else scheduleRefreshCheck(REFRESH_RETRY_MS);
      return;
    }
    needsNewPeer = true;
    teardownPeer();
    retryTimer = clearTimer(retryTimer);
    void connect();
  }

  function bind(target: PeerLike, gen: number): void {
    const current = (): boolean => gen === generation && peer === target;
    target.on('open', () => {
      if (!current()) return;
      watchdogTimer = clearTimer(watchdogTimer);
      attempt = 0;
      needsNewPeer = false;
      setConnection('online', null);
      sendAllowlist();
      deps.social?.online();
      scheduleRefreshCheck();
    });
    target.on('server-message', (message: unknown) => {
      if (current()) deps.social?.serverMessage(message);
    });
    target.on('error', (error: PeerErrorInfo) => {
      if (!current()) return;
      const verdict = judgePeerError(error);
      switch (verdict.kind) {
        case 'displaced':
          void displace();
          return;
        case 'expired':
          void recoverExpired();
          return;
        case 'session_invalid':
          void endSession(NOTICES.invalid);
          return;
        case 'retry':
          scheduleRetry();
          return;
        case 'ignore':
          if (error.type === 'peer-unavailable') {
            const handle = /peer (\S+)$/.exec(error.message)?.[1];
            if (handle) probes.fail(new PeerwallError('peer_unavailable', `@${handle} is not online right now.`), handle);
          }
      }
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
      if (current() && link.label === SYNC_LABEL && deps.social) {
        deps.social.incoming(link);
        return;
      }
      if (!current() || !allowlist().handles.includes(link.peer)) {
        link.close();
        return;
      }
      answerPings(link, timers);
    });
  }

  async function recoverExpired(): Promise<void> {
    teardownPeer();
    needsNewPeer = true;
    try {
      await refreshToken();
    } catch (error) {
      if (isSessionEnded(error)) await endSession(NOTICES.expired);
      else scheduleRetry();
      return;
    }
    void connect();
  }

  async function connect(): Promise<void> {
    retryTimer = clearTimer(retryTimer);
    if (!session || session.displaced) return;
    const startedEpoch = epoch;
    setConnection('connecting');
    if (peer && !needsNewPeer && peer.disconnected && !peer.destroyed) {
      // Keeps open data connections; the watchdog covers reconnects that never open (peerjs #1289).
      startWatchdog(generation);
      peer.reconnect();
      return;
    }
    teardownPeer();
    let iceServers: RTCIceServer[];
    try {
      if (deps.now() >= refreshDueAt(session)) await refreshToken();
      iceServers = await client().iceServers(session.token);
    } catch (error) {
      if (startedEpoch !== epoch) return;
      if (isSessionEnded(error)) await endSession(deps.now() >= session.expiresAt ? NOTICES.expired : NOTICES.invalid);
      else scheduleRetry();
      return;
    }
    if (startedEpoch !== epoch || !session || session.displaced || peer) return;
    const server = peerServerOptions(session.brokerUrl);
    generation += 1;
    const gen = generation;
    needsNewPeer = false;
    peer = deps.createPeer(session.handle, { ...server, token: session.token, iceServers });
    bind(peer, gen);
    startWatchdog(gen);
  }

  function validCredentials(credentials: Credentials): Credentials {
    const handle = parseHandle(credentials.handle);
    if (!handle.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
    if (credentials.password.length === 0) throw new PeerwallError('invalid_password', 'Enter your password.');
    const url = parseBrokerUrl(credentials.brokerUrl);
    if (!url.ok) throw new PeerwallError('invalid_broker_url', url.reason);
    return { handle: handle.handle, password: credentials.password, brokerUrl: url.url };
  }

  async function beginSession(next: Session): Promise<HostState> {
    epoch += 1;
    stopAll();
    session = next;
    attempt = 0;
    needsNewPeer = true;
    contacts = await deps.contacts.load(next.handle);
    await beginSocial(next.handle);
    await deps.sessions.save(next);
    setConnection('connecting', null);
    void connect();
    return getState();
  }

  /** Skips the backoff wait; an attempt already in flight is left alone. */
  function reconnectNow(): HostState {
    if (session && !session.displaced && connection === 'offline') {
      attempt = 0;
      void connect();
    }
    return getState();
  }

  async function signIn(credentials: Credentials): Promise<HostState> {
    const valid = validCredentials(credentials);
    const grant = await createBrokerClient(valid.brokerUrl, deps.fetch).signIn(valid.handle, valid.password);
    return beginSession({
      handle: grant.handle,
      token: grant.token,
      expiresAt: grant.expiresAt,
      obtainedAt: deps.now(),
      brokerUrl: valid.brokerUrl,
      displaced: false,
    });
  }

  return {
    async start() {
      const stored = await deps.sessions.load();
      if (!stored) {
        emit();
        return;
      }
      session = stored;
      contacts = await deps.contacts.load(stored.handle);
      await beginSocial(stored.handle);
      if (stored.displaced) {
        connection = 'signed_in_elsewhere';
        notice = `@${stored.handle} signed in on another device or browser. Sign out, then sign in again to use Peerwall here.`;
        emit();
        return;
      }
      needsNewPeer = true;
      // Not awaited: requests wait for start(), and must not wait for a slow broker.
      void connect();
    },
    getState,
    signIn,
    async createAccount(credentials) {
      const valid = validCredentials(credentials);
      await createBrokerClient(valid.brokerUrl, deps.fetch).createAccount(valid.handle, valid.password);
      return signIn(valid);
    },
    async signOut() {
      await endSession(null);
      return getState();
    },
    reconnectNow,
    async setContacts(handles) {
      if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
      const own = session.handle;
      const list = normaliseContacts(handles, own);
      await deps.contacts.save(own, list);
      if (session?.handle !== own) throw new PeerwallError('signed_out', 'You signed out while saving contacts.');
      contacts = list;
      if (connection === 'online') sendAllowlist();
      emit();
      return { count: list.length };
    },
    async probe(input) {
      const parsed = parseHandle(input);
      if (!parsed.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
      const handle = parsed.handle;
      if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
      if (handle === session.handle) throw new PeerwallError('invalid_handle', 'That is your own handle.');
      if (!allowlist().handles.includes(handle)) {
        throw new PeerwallError('not_a_contact', `@${handle} is not one of your contacts. Add them first.`);
      }
      if (connection !== 'online' || !peer) {
        throw new PeerwallError('offline', 'You are offline. Wait until Peerwall shows Online, then try again.');
      }
      probeCounter += 1;
      const running = runProbe(peer.connect(handle), {
        handle,
        nonce: `p${probeCounter}x${Math.floor(deps.random() * 1e9)}`,
        timeoutMs: options.probeTimeoutMs,
        now: deps.now,
        timers,
      });
      const done = probes.add(handle, running);
      try {
        return await running.result;
      } finally {
        done();
      }
    },
    async deleteAccount(password) {
      if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
      if (password.length === 0) throw new PeerwallError('invalid_password', 'Enter your password to delete your account.');
      const current = session;
      const broker = createBrokerClient(current.brokerUrl, deps.fetch);
      // The goodbye cannot be taken back, so the password is checked first (a sign-in has no
      // other effect until its token connects); a wrong one changes nothing here.
      try {
        await broker.signIn(current.handle, password);
      } catch (error) {
        if (error instanceof PeerwallError && error.code === 'invalid_credentials') {
          throw new PeerwallError('wrong_password', 'That password is not correct. Nothing was deleted.', 403);
        }
        throw error;
      }
      // Goodbye first, while still online so friends can be reached (issue 5: "a goodbye entry
      // goes to friends, then the broker account is deleted"); deleting first would close the
      // broker socket and leave only connections that happened to be open.
      try {
        await deps.social?.farewell?.();
      } catch (error) {
        console.error('[peerwall] The goodbye could not be sent', error);
      }
      if (session !== current) throw new PeerwallError('signed_out', 'You signed out while the account was being deleted.');
      // The broker now closes our socket (`auth_revoked`): its events are ignored from here.
      generation += 1;
      watchdogTimer = clearTimer(watchdogTimer);
      retryTimer = clearTimer(retryTimer);
      try {
        await broker.deleteAccount(current.token, password);
      } catch (error) {
        // Nothing was deleted: go back online as before.
        needsNewPeer = true;
        void connect();
        throw error;
      }
      await endSession('Your account was deleted. Your handle stays retired.');
      return getState();
    },
    networkChanged(online) {
      if (online) reconnectNow();
    },
    stop() {
      epoch += 1;
      stopAll();
      deps.social?.end();
    },
  };
}
