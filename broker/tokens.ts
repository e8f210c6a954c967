import { randomBytes } from 'node:crypto';
import { isCanonicalHandle } from '../core/handle';
import type { AccountStore } from './accounts';

/** One sign-in. Refreshing a token keeps its session; a new sign-in starts a newer one. */
export interface Session {
  handle: string;
  sessionId: string;
  /** Milliseconds; orders sessions of one handle so the latest sign-in wins. */
  startedAt: number;
  tokenVersion: number;
}

export type AuthFailure = 'auth_missing' | 'auth_invalid' | 'auth_expired' | 'auth_revoked';
export type TokenCheck = { ok: true; session: Session } | { ok: false; code: AuthFailure };

export const AUTH_MESSAGES: Record<AuthFailure, string> = {
  auth_missing: 'Sign in first: this needs a session token.',
  auth_invalid: 'The session token is not valid. Sign in again.',
  auth_expired: 'Your session has expired. Sign in again.',
  auth_revoked: 'This session has ended because the password was changed or the account was deleted. Sign in again.',
};

/** The part of @fastify/jwt this needs, so tests and tools can sign with the same settings. */
export interface JwtCodec {
  sign(payload: Record<string, unknown>): string;
  verify(token: string): unknown;
}

export interface TokenService {
  /**
   * `startedAt`: when the sign-in happened on the clock all nodes share (Redis's, with several nodes), so
   * "newest sign-in wins" does not depend on node clocks agreeing; this process's clock when absent.
   */
  startSession(handle: string, tokenVersion: number, startedAt?: number): Session;
  issue(session: Session): { token: string; expiresAt: string };
  /** Rejects with StorageUnavailableError when the account database cannot be reached. */
  check(token: string | undefined): Promise<TokenCheck>;
}

/** True when `a` is a later sign-in than `b`. */
export function isNewerSession(a: Session, b: Session): boolean {
  return a.startedAt !== b.startedAt ? a.startedAt > b.startedAt : a.sessionId > b.sessionId;
}

export function createTokenService(deps: {
  jwt: JwtCodec;
  accounts: AccountStore;
  ttlSeconds: number;
  now?: () => number;
}): TokenService {
  const now = deps.now ?? Date.now;
  let lastStart = 0;
  return {
    startSession(handle, tokenVersion, startedAt = now()) {
      lastStart = Math.max(startedAt, lastStart + 1); // strictly increasing within this process
      return { handle, sessionId: randomBytes(16).toString('base64url'), startedAt: lastStart, tokenVersion };
    },
    issue(session) {
      const exp = Math.floor(now() / 1000) + deps.ttlSeconds;
      const token = deps.jwt.sign({
        sub: session.handle,
        ver: session.tokenVersion,
        sid: session.sessionId,
        sat: session.startedAt,
        exp,
      });
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    async check(token) {
      if (token === undefined || token === '') return { ok: false, code: 'auth_missing' };
      let claims: unknown;
      try {
        claims = deps.jwt.verify(token);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return { ok: false, code: code === 'FAST_JWT_EXPIRED' ? 'auth_expired' : 'auth_invalid' };
      }
      const session = toSession(claims);
      if (!session) return { ok: false, code: 'auth_invalid' };
      const account = await deps.accounts.find(session.handle);
      if (!account || account.retiredAt !== null || account.tokenVersion !== session.tokenVersion) {
        return { ok: false, code: 'auth_revoked' };
      }
      return { ok: true, session };
    },
  };
}

function toSession(claims: unknown): Session | undefined {
  if (typeof claims !== 'object' || claims === null) return undefined;
  const { sub, ver, sid, sat } = claims as Record<string, unknown>;
  if (!isCanonicalHandle(sub) || !Number.isSafeInteger(ver) || !Number.isSafeInteger(sat)) return undefined;
  if (typeof sid !== 'string' || sid.length === 0 || sid.length > 64) return undefined;
  return { handle: sub, sessionId: sid, startedAt: sat as number, tokenVersion: ver as number };
}
