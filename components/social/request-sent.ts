import type { SocialState } from '@/platform/social/social-views';

/**
 * "Friend request sent to @bob." while that request is still pending, else null: once bob accepts
 * or declines, or the request is cancelled, the sentence would be stale.
 */
export function requestSentNotice(state: Pick<SocialState, 'outgoing'>, sentTo: string | null): string | null {
  if (sentTo === null || !state.outgoing.some((r) => r.handle === sentTo)) return null;
  return `Friend request sent to @${sentTo}.`;
}
