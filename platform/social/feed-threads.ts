import type { PendingChanges } from '@/core/pending';
import type { Replica } from '@/core/replica';
import { buildThread } from '@/core/thread';
import { COMMENTS_SHOWN, FEED_COMMENT_UNITS, FEED_COMMENTS, type FeedComment, type FeedPost } from './social-views';

export interface FeedThreadsDeps {
  replica: Replica;
  isBlocked(handle: string): boolean;
  isFriend(handle: string): boolean;
}

/** Likers one post or comment lists at most (the count shows no more either); a wall owner can seal any number. */
export const LIKERS_SHOWN = 5_000;

const NO_CHANGES: PendingChanges = { wallPosts: [], comments: [], likes: new Map(), edits: new Map(), deletes: new Set() };

/** Adds or removes `me` from a sorted list of likers as a pending like or unlike says. */
function withOwnLike(likes: readonly string[], me: string, liked: boolean | undefined): string[] {
  if (liked === undefined) return likes.slice(0, LIKERS_SHOWN);
  const others = likes.filter((h) => h !== me);
  return (liked ? [...others, me].sort() : others).slice(0, LIKERS_SHOWN);
}

/**
 * Own wall posts still queued for `wall` (or for every wall), as posts marked pending. A queued item
 * already sealed and shown (`shown`) is left out: the outbox drops it at the next sync.
 */
export function pendingPosts(me: string, pending: ReadonlyMap<string, PendingChanges>, wall: string | null, shown: ReadonlySet<string>): FeedPost[] {
  const posts: FeedPost[] = [];
  for (const [owner, changes] of pending) {
    if (wall !== null && owner !== wall) continue;
    for (const item of changes.wallPosts) {
      if (shown.has(item.id) || changes.deletes.has(item.id)) continue;
      posts.push({
        id: item.id,
        wall: owner,
        author: me,
        seq: 1,
        text: item.text,
        shownAt: item.createdAt,
        edited: false,
        waitingFor: [],
        vouchedBy: null,
        via: null,
        likes: [],
        comments: [],
        moreComments: false,
        pending: true,
        photos: item.photos ?? [],
      });
    }
  }
  return posts.sort((a, b) => b.shownAt - a.shownAt);
}

/**
 * Each post with its thread (comments oldest first, likes), read through the log's target index,
 * with one's own queued comments, likes, edits and deletes applied and marked pending, and with
 * blocked people's comments and likes left out (docs/protocol.md §5.5). A post carries its newest
 * FEED_COMMENTS comments, or COMMENTS_SHOWN when `expanded` names it, and the page at most
 * FEED_COMMENT_UNITS of comment text.
 */
export async function withThreads(
  deps: FeedThreadsDeps,
  me: string,
  posts: readonly FeedPost[],
  pending: ReadonlyMap<string, PendingChanges>,
  expanded: ReadonlySet<string> = new Set(),
): Promise<FeedPost[]> {
  const shown: FeedPost[] = [];
  let budget = FEED_COMMENT_UNITS;
  // All threads are read at once: one after another, a page of 50 cost 50 storage round trips in a row.
  const threads = await Promise.all(
    posts.map((post) => (post.pending || (pending.get(post.wall) ?? NO_CHANGES).deletes.has(post.id) ? [] : deps.replica.entriesTargeting(post.wall, post.id))),
  );
  for (const [i, post] of posts.entries()) {
    const changes = pending.get(post.wall) ?? NO_CHANGES;
    if (changes.deletes.has(post.id)) continue;
    const visible = (h: string) => !deps.isBlocked(h);
    /** As for posts (docs/protocol.md §6.1): only the wall's seal vouches for a stranger's key. */
    const vouchedBy = (author: string) => (author === me || author === post.wall || deps.isFriend(author) ? null : post.wall);

    const targeting = threads[i]!;
    // Only the newest comments that can be shown cost a read each (for their edits, deletes and likes):
    // a thread of thousands costs no more. Older ones are left out whole, never shown without their deletes.
    const all = targeting.filter((e) => e.header.kind === 'comment' && visible(e.header.author)).map((e) => e.id);
    const room = budget > 0 ? (expanded.has(post.id) ? COMMENTS_SHOWN : FEED_COMMENTS) : 0;
    const commentIds = new Set(room > 0 ? all.slice(-room) : []);
    const entries = targeting.filter((e) => e.header.kind !== 'comment' || commentIds.has(e.id));
    for (const reads of await Promise.all([...commentIds].map((id) => deps.replica.entriesTargeting(post.wall, id)))) entries.push(...reads);
    const thread = buildThread(post.id, entries);

    const sealed: FeedComment[] = thread.comments
      .filter((c) => !changes.deletes.has(c.id))
      .map((c) => {
        const edit = changes.edits.get(c.id);
        return {
          id: c.id,
          author: c.author,
          text: edit ?? c.text,
          shownAt: c.shownAt,
          edited: c.edited || edit !== undefined,
          likes: withOwnLike(c.likes.filter(visible), me, changes.likes.get(c.id)),
          pending: edit !== undefined,
          vouchedBy: vouchedBy(c.author),
        };
      });
    const queued: FeedComment[] = changes.comments
      .filter((c) => c.target === post.id && !changes.deletes.has(c.id) && !sealed.some((s) => s.id === c.id))
      .map((c) => {
        const edit = changes.edits.get(c.id);
        return { id: c.id, author: me, text: edit ?? c.text, shownAt: c.createdAt, edited: edit !== undefined, likes: [], pending: true, vouchedBy: null };
      });
    const comments = [...sealed, ...queued].slice(-COMMENTS_SHOWN);
    for (const c of comments) budget -= c.text?.length ?? 0;
    const edit = changes.edits.get(post.id);
    shown.push({
      ...post,
      text: edit ?? post.text,
      edited: post.edited || edit !== undefined,
      pending: post.pending || edit !== undefined,
      likes: withOwnLike(thread.likes.filter(visible), me, changes.likes.get(post.id)),
      comments,
      moreComments: all.length > commentIds.size,
    });
  }
  return shown;
}
