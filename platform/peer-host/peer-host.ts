import type { FetchFn } from '../broker-client';
import type { Credentials, HostState } from '../messages';
import type { SocialHooks } from '../ports';
import type { Timers } from '../timers';
import { createAccountActions } from './account-actions';
import { createHostSession, type SessionStore } from './host-session';
import { DEFAULT_BACKOFF } from './backoff';
import type { PeerConnectionOptions } from './peer-connection';
import type { PeerFactory } from './peer-port';

export type { SessionStore } from './host-session';
export type PeerHostOptions = PeerConnectionOptions;

const DEFAULTS: PeerHostOptions = {
  openTimeoutMs: 20_000,
  backoff: DEFAULT_BACKOFF,
  refreshCheckMs: 60 * 60_000,
  refreshLeadMs: 7 * 24 * 60 * 60_000,
};

export interface PeerHostDeps {
  createPeer: PeerFactory;
  fetch: FetchFn;
  sessions: SessionStore;
  now(): number;
  random(): number;
  timers: Timers;
  onStateChange(state: HostState): void;
  /** Friends, walls and sync; absent in tests of the connection logic alone. */
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
  /** Deletes the broker account, sends a goodbye to connected friends and signs out. */
  deleteAccount(password: string): Promise<HostState>;
  /** Called with `navigator.onLine` changes: coming back online retries at once. */
  networkChanged(online: boolean): void;
  stop(): void;
}

/**
 * The peer host: the broker link (session, PeerJS peer, reconnects, token refresh) and the
 * account actions that drive it. Everything it touches is passed in.
 */
export function createPeerHost(deps: PeerHostDeps): PeerHost {
  const link = createHostSession({ ...deps, options: { ...DEFAULTS, ...deps.options } });
  const accounts = createAccountActions({ link, fetch: deps.fetch, now: deps.now, social: deps.social });
  return {
    start: link.restore,
    getState: link.getState,
    ...accounts,
    reconnectNow: link.reconnectNow,
    networkChanged(online) {
      if (online) link.reconnectNow();
    },
    stop: link.stop,
  };
}
