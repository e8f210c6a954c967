import type { Unseen } from '@/platform/storage-items';

/** What a clicked notification opens: a wall (null: the feed) and a post to scroll to, either absent. */
export interface NotificationFocus {
  wall: string | null;
  postId: string | null;
}

/** `#wall-<wall>/post-<id>`, `#post-<id>` or `#wall-<wall>` (see `focusHash` in platform/background/notifier.ts). */
const FOCUS_HASH = /^#(?:wall-([a-z0-9_]{1,15})(?:\/post-([0-9a-f]{64}))?|post-([0-9a-f]{64}))$/;

/**
 * The focus a page opens at: the one in its address (a tab opened by a notification click), else, except in
 * the popup, the one a click stored for the side panel (Chrome opens the panel without an address of our
 * choosing). A popup opens at the top: no notification click opens it.
 */
export function notificationFocus(hash: string, stored: Pick<Unseen, 'focusPostId' | 'focusWall'>, popup: boolean): NotificationFocus | null {
  const fromHash = FOCUS_HASH.exec(hash);
  if (fromHash) return { wall: fromHash[1] ?? null, postId: fromHash[2] ?? fromHash[3] ?? null };
  if (popup || (stored.focusPostId === null && stored.focusWall === null)) return null;
  return { wall: stored.focusWall, postId: stored.focusPostId };
}
