import type { Credentials, HostState } from '../messages';
import { createAccountActions } from './account-actions';
import { createHostSession, type HostSessionDeps } from './host-session';
import { DEFAULT_BACKOFF } from './backoff';
import type { PeerConnectionOptions } from './peer-connection';

export type { SessionStore } from './host-session';
export type PeerHostOptions = PeerConnectionOptions;

const DEFAULTS: PeerHostOptions = {
  openTimeoutMs: 20_000,
  backoff: DEFAULT_BACKOFF,
  refreshCheckMs: 60 * 60_000,
  refreshLeadMs: 7 * 24 * 60 * 60_000,
};

/** The session's deps; `social` is absent in tests of the connection logic alone. */
export type PeerHostDeps = Omit<HostSessionDeps, 'options'> & { options?: Partial<PeerHostOptions> };

export interface PeerHost {
  start(): Promise<void>;
  getState(): HostState;
  signIn(credentials: Credentials): Promise<HostState>;
  createAccount(credentials: Credentials): Promise<HostState>;
  signOut(): Promise<HostState>;
  reconnectNow(): HostState;
  /** Deletes the broker account, sends a goodbye to connected friends and signs out; `erase` also erases its data here. */
  deleteAccount(password: string, erase?: boolean): Promise<HostState>;
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
  const accounts = createAccountActions({ link, sessions: deps.sessions, fetch: deps.fetch, now: deps.now, social: deps.social });
  return {
    start: link.restore,
    getState: link.getState,
    ...accounts,
    reconnectNow: link.reconnectNow,
    networkChanged(online) {
      if (!online) return;
      link.reconnectNow();
      deps.social?.networkChanged();
    },
    stop: link.stop,
  };
}
