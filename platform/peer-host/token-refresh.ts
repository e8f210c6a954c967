import { isSessionEnded } from '../broker-client';
import type { Session } from '../session';
import type { Timers } from '../timers';
import { refreshDueAt } from './token-timing';

const RETRY_MS = 5 * 60_000;

export interface TokenRefreshDeps {
  timers: Timers;
  now(): number;
  options: { refreshCheckMs: number; refreshLeadMs: number };
  /** The session to keep fresh, or null when there is none (or it is displaced). */
  current(): Session | null;
  /** Asks the broker for a new token and stores it; rejects like the broker client. */
  renew(session: Session): Promise<void>;
  /** A scheduled refresh got a new token: the peer must be rebuilt with it. */
  onRenewed(): void;
  /** The broker refused the session: sign out. */
  onRefused(): void;
}

/**
 * Keeps the session token fresh: checks at most every `refreshCheckMs` (long timers drift
 * across sleep) and renews `refreshLeadMs` before expiry; a failed renewal is retried later.
 */
export function createTokenRefresh(deps: TokenRefreshDeps) {
  let timer: unknown = null;

  const cancel = (): void => {
    if (timer !== null) deps.timers.clearTimeout(timer);
    timer = null;
  };
  const due = (): boolean => {
    const session = deps.current();
    return !!session && deps.now() >= refreshDueAt(session, deps.options.refreshLeadMs);
  };

  async function renewNow(): Promise<void> {
    const session = deps.current();
    if (session) await deps.renew(session);
  }

  function schedule(delayMs?: number): void {
    cancel();
    const session = deps.current();
    if (!session) return;
    const wait = delayMs ?? Math.max(0, refreshDueAt(session, deps.options.refreshLeadMs) - deps.now());
    timer = deps.timers.setTimeout(() => {
      timer = null;
      void check();
    }, Math.min(wait, deps.options.refreshCheckMs));
  }

  async function check(): Promise<void> {
    if (!deps.current()) return;
    if (!due()) return schedule();
    try {
      await renewNow();
    } catch (error) {
      if (isSessionEnded(error)) deps.onRefused();
      else schedule(RETRY_MS);
      return;
    }
    deps.onRenewed();
  }

  return {
    schedule: () => schedule(),
    cancel,
    due,
    /** Renews at once; rejects like the broker client. */
    renewNow,
    /** Renews at once and says how it went (after the broker said the token expired). */
    async now(): Promise<'renewed' | 'refused' | 'failed'> {
      try {
        await renewNow();
        return 'renewed';
      } catch (error) {
        return isSessionEnded(error) ? 'refused' : 'failed';
      }
    },
  };
}
