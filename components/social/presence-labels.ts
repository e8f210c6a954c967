import type { FriendPresence } from '@/platform/social/social-views';

/** How a friend's presence reads, as plain text: the page's one role="status" is the connection indicator. */
export const PRESENCE_LABELS: Record<FriendPresence, string> = {
  online: 'Online',
  offline: 'Offline',
  connecting: 'Connecting…',
  cant_connect: 'Can’t connect',
};
