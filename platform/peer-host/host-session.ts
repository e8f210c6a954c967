import { createBrokerClient, type FetchFn } from '../broker-client';
import type { HostState } from '../messages';
import type { SessionStart, SocialHooks } from '../ports';
import type { Session } from '../session';
import type { Timers } from '../timers';
import { createHostStatus } from './host-status';
import { createPeerConnection, type PeerConnectionOptions } from './peer-connection';
import type { PeerFactory } from './peer-port';

export interface SessionStore {
  load(): Promise<Session | null>;
  save(session: Session | null): Promise<void>;
  /** Erases the small state kept for `handle` beside the session (settings, unseen counts); absent where there is none. */
  erase?(handle: string): Promise<void>;
}

export interface HostSessionDeps {
  createPeer: PeerFactory;
  fetch: FetchFn;
  sessions: SessionStore;
  now(): number;
  random(): number;
  timers: Timers;
  onStateChange(state: HostState): void;
  social?: SocialHooks;
  options: PeerConnectionOptions;
}

const STORAGE_PROBLEM =
  'Peerwall could not open its storage for friends and posts. Restart the browser; if it keeps happening, check free disk space.';

const elsewhere = (handle: string, restored: boolean): string =>
  restored
    ? `@${handle} signed in on another device or browser. Sign out, then sign in again to use Peerwall here.`
    : `@${handle} signed in on another device or browser, so Peerwall stays offline here. Sign out, then sign in again to use it here.`;

/**
 * The signed-in session's life: it begins (sign-in, or restored at start), opens the social
 * layer, is displaced by a newer sign-in elsewhere, and ends. The peer connection serves it.
 */
export function createHostSession(deps: HostSessionDeps) {
  let session: Session | null = null;
  let epoch = 0;
  const status = createHostStatus(deps.onStateChange, () => session);

  const connection = createPeerConnection({
    ...deps,
    status,
    session: {
      current: () => session,
      epoch: () => epoch,
      async renew(current) {
        const startedEpoch = epoch;
        const grant = await createBrokerClient(current.brokerUrl, deps.fetch).refresh(current.token);
        if (startedEpoch !== epoch || !session) return;
        session = { ...session, token: grant.token, expiresAt: grant.expiresAt, obtainedAt: deps.now() };
        await deps.sessions.save(session);
      },
      end: (reason) => end(reason),
      async displace() {
        if (!session) return;
        connection.stop();
        session = { ...session, displaced: true };
        status.set('signed_in_elsewhere', elsewhere(session.handle, false));
        await deps.sessions.save(session);
      },
    },
  });

  /** Opens the account's friends and walls; a storage failure is reported, not fatal to signing in. */
  async function beginSocial(handle: string, start: SessionStart): Promise<void> {
    status.setSocialProblem(null);
    try {
      await deps.social?.begin(handle, connection.access, start);
    } catch (error) {
      console.error('[peerwall] Could not open friends and walls', error);
      status.setSocialProblem(STORAGE_PROBLEM);
    }
  }

  async function end(reason: string | null): Promise<void> {
    epoch += 1;
    connection.stop();
    deps.social?.end();
    status.setSocialProblem(null);
    session = null;
    status.set('offline', reason);
    await deps.sessions.save(null);
  }

  return {
    getState: status.get,
    current: (): Session | null => session,
    /** Resumes the stored session at start: offline and quiet if it was displaced. */
    async restore(): Promise<void> {
      const stored = await deps.sessions.load();
      if (!stored) return status.emit();
      session = stored;
      await beginSocial(stored.handle, 'resumed');
      if (stored.displaced) return status.set('signed_in_elsewhere', elsewhere(stored.handle, true));
      // Not awaited: requests wait for start(), and must not wait for a slow broker.
      connection.start();
    },
    /** Starts a new session (a sign-in, or the one right after creating the account), replacing any current one. */
    async begin(next: Session, start: Exclude<SessionStart, 'resumed'> = 'sign-in'): Promise<HostState> {
      epoch += 1;
      connection.stop();
      session = next;
      await beginSocial(next.handle, start);
      await deps.sessions.save(next);
      status.set('connecting', null);
      connection.start();
      return status.get();
    },
    end,
    hold: connection.hold,
    release: connection.release,
    reconnectNow(): HostState {
      connection.reconnectNow();
      return status.get();
    },
    stop(): void {
      epoch += 1;
      connection.stop();
      deps.social?.end();
    },
  };
}

export type HostSession = ReturnType<typeof createHostSession>;
