import type { ConnectionState } from '@/platform/messages';
import type { FriendPresence } from '@/platform/social/social-views';

/** How a friend's presence reads, as plain text: the page's one role="status" is the connection indicator. */
export const PRESENCE_LABELS: Record<FriendPresence, string> = {
  online: 'Online',
  offline: 'Offline',
  connecting: 'Connecting…',
  cant_connect: 'Can’t connect',
};

/** What a friend's presence is when we cannot know it: we are not connected to the broker ourselves. */
export const UNKNOWN_PRESENCE: Record<Exclude<ConnectionState, 'online'>, string> = {
  connecting: 'Unknown — connecting…',
  offline: 'Unknown — you are offline',
  signed_in_elsewhere: 'Unknown — you are offline',
};

/**
 * A friend's presence as the list shows it: only while we are online does the broker tell us who
 * else is; otherwise the last answer may be stale (a friend "Online" while we are offline).
 */
export function presenceLabel(presence: FriendPresence, own: ConnectionState): { text: string; kind: FriendPresence | 'unknown' } {
  if (own !== 'online') return { text: UNKNOWN_PRESENCE[own], kind: 'unknown' };
  return { text: PRESENCE_LABELS[presence], kind: presence };
}
