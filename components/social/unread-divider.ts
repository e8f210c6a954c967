import type { FeedPost } from '@/platform/social/social-views';

/**
 * Where the "New since you last looked" divider goes in a feed shown newest first: before the index
 * returned, right below the last post by someone else newer than `lookedAt`. Null when the view was never
 * looked at, nothing is new, or every post shown is new (a divider needs something older below it).
 */
export function unreadDividerIndex(
  posts: readonly Pick<FeedPost, 'shownAt' | 'author'>[],
  lookedAt: number | null,
  me: string | null,
): number | null {
  if (lookedAt === null) return null;
  const lastNew = posts.findLastIndex((post) => post.shownAt > lookedAt && post.author !== me);
  return lastNew >= 0 && lastNew < posts.length - 1 ? lastNew + 1 : null;
}
