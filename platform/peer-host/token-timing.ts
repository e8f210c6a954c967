import type { Session } from '../session';

/**
 * When to refresh a token: `leadMs` before expiry, or at half its life for short-lived
 * tokens, so a refresh never races the expiry itself.
 */
export function refreshDueAt(session: Pick<Session, 'expiresAt' | 'obtainedAt'>, leadMs: number): number {
  const lead = Math.min(leadMs, (session.expiresAt - session.obtainedAt) / 2);
  return session.expiresAt - lead;
}
