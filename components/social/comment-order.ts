import type { FeedComment } from '@/platform/social/social-views';

/** Comments oldest first, by time then id: the host's order, kept whatever order a row brings them in. */
export function oldestFirst(comments: readonly FeedComment[]): FeedComment[] {
  return [...comments].sort((a, b) => a.shownAt - b.shownAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
