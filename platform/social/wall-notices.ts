import { decodeBody } from '@/core/body';
import { toHex } from '@/core/bytes';
import type { Replica, StoredEntry } from '@/core/replica';
import type { Timers } from '../timers';
import type { NoticeKind, SocialNotice } from './social-views';

/** Notices of one kind one update raises one by one; past this, one summary stands for the rest. */
const NOTIFY_AT_MOST = 3;
/** Likes of one post or comment arriving within this long become one notice. */
export const LIKE_BATCH_MS = 5_000;
const EXCERPT_UNITS = 200;

export interface WallNoticesDeps {
  me: string;
  replica: Pick<Replica, 'entryById' | 'entriesTargeting' | 'recovering'>;
  isBlocked(handle: string): boolean;
  notify(notice: SocialNotice): void;
  timers: Timers;
  likeBatchMs?: number;
}

/** Likes of one own post or comment waiting for the batch to close. */
interface LikeBatch {
  wall: string;
  postId: string;
  what: 'post' | 'comment';
  text: string;
  likers: string[];
}

const excerpt = (text: string): string => (text.length > EXCERPT_UNITS ? `${text.slice(0, EXCERPT_UNITS - 1)}…` : text);

/** The text of a post, wall post or comment, or '' while its body has not arrived. */
function textOf(entry: StoredEntry): string {
  if (!entry.body) return '';
  const body = decodeBody(entry.header.kind, entry.body);
  if (!body.ok) return '';
  return body.value.kind === 'post' || body.value.kind === 'wallPost' || body.value.kind === 'comment' ? body.value.body.text : '';
}

const targetOf = (entry: StoredEntry): string | null => (entry.header.target ? toHex(entry.header.target) : null);

/** "@bob liked", "@bob and @carol liked", "@bob and 3 others liked". */
function likedBy(likers: readonly string[]): string {
  const [first, second] = likers;
  if (likers.length === 1) return `@${first} liked`;
  if (likers.length === 2) return `@${first} and @${second} liked`;
  return `@${first} and ${likers.length - 1} others liked`;
}

/** Threads whose "my first comment" is remembered across updates (a catch-up reads each thread once). */
const FIRST_COMMENTS_KEPT = 1_000;

/**
 * The replica reads updates need. An entry is read at most once per update; where one's first
 * comment under a post is, at most once while remembered (own comments arriving later move it).
 */
function createReads(replica: WallNoticesDeps['replica'], me: string) {
  const firstMine = new Map<string, Promise<number>>();
  const key = (wall: string, postId: string) => `${wall}\n${postId}`;
  return {
    forUpdate(wall: string) {
      const byId = new Map<string, Promise<StoredEntry | null>>();
      return {
        entry(id: string): Promise<StoredEntry | null> {
          let read = byId.get(id);
          if (!read) byId.set(id, (read = replica.entryById(wall, id)));
          return read;
        },
        /** The seq of one's first comment under a post; Infinity when there is none. */
        myFirstComment(postId: string): Promise<number> {
          let read = firstMine.get(key(wall, postId));
          if (!read) {
            read = replica.entriesTargeting(wall, postId).then((under) => {
              const mine = under.filter((e) => e.header.kind === 'comment' && e.header.author === me && !e.tombstoned);
              return Math.min(...mine.map((e) => e.seq));
            });
            firstMine.set(key(wall, postId), read);
            if (firstMine.size > FIRST_COMMENTS_KEPT) firstMine.delete(firstMine.keys().next().value!);
          }
          return read;
        },
      };
    },
    /** One's own comment was sealed under `postId`: a remembered "none yet" becomes its seq. */
    ownComment(wall: string, postId: string, seq: number): void {
      const known = firstMine.get(key(wall, postId));
      if (known) firstMine.set(key(wall, postId), known.then((first) => Math.min(first, seq)));
    },
  };
}

const SUMMARY: Record<Exclude<NoticeKind, 'like' | 'request'>, (n: number) => string> = {
  post: (n) => `${n} more new posts`,
  wallPost: (n) => `${n} more posts on your wall`,
  comment: (n) => `${n} more comments on your posts and wall`,
  reply: (n) => `${n} more comments after yours`,
};

/**
 * Decides the notifications new entries of a wall raise: friends' posts, posts on one's wall,
 * comments on one's posts and wall, comments after one's own, and likes of one's posts and
 * comments (batched). Nothing from blocked people, nothing for one's own entries. Each entry
 * costs at most two replica reads, shared within one update.
 */
export function createWallNotices(deps: WallNoticesDeps) {
  const { me, replica } = deps;
  const likeBatchMs = deps.likeBatchMs ?? LIKE_BATCH_MS;
  const likes = new Map<string, LikeBatch>();
  const likeTimers = new Set<unknown>();
  const threadReads = createReads(replica, me);

  function closeLikes(targetId: string): void {
    const batch = likes.get(targetId);
    likes.delete(targetId);
    const likers = batch?.likers.filter((h) => !deps.isBlocked(h)) ?? []; // blocked while the batch was open
    if (!batch || likers.length === 0) return;
    deps.notify({
      kind: 'like',
      title: `${likedBy(likers)} your ${batch.what}`,
      message: excerpt(batch.text),
      postId: batch.postId,
      wall: batch.wall,
      count: likers.length,
    });
  }

  function addLike(target: StoredEntry, postId: string, liker: string): void {
    let batch = likes.get(target.id);
    if (!batch) {
      const what = target.header.kind === 'comment' ? 'comment' : 'post';
      batch = { wall: target.header.wall, postId, what, text: textOf(target), likers: [] };
      likes.set(target.id, batch);
      const timer = deps.timers.setTimeout(() => {
        likeTimers.delete(timer);
        closeLikes(target.id);
      }, likeBatchMs);
      likeTimers.add(timer);
    }
    if (!batch.likers.includes(liker)) batch.likers.push(liker);
  }

  function dropLike(targetId: string, liker: string): void {
    const batch = likes.get(targetId);
    if (batch) batch.likers = batch.likers.filter((h) => h !== liker);
  }

  return {
    /** Signed out: likes still being batched raise nothing. */
    stop(): void {
      for (const timer of likeTimers) deps.timers.clearTimeout(timer);
      likeTimers.clear();
      likes.clear();
    },
    async onWallUpdated(wall: string, added: readonly StoredEntry[]): Promise<void> {
      // A restore brings back what was written long ago: none of it is news.
      if (added.length === 0 || deps.isBlocked(wall) || (await replica.recovering())) return;
      const reads = threadReads.forUpdate(wall);
      const notices = new Map<Exclude<NoticeKind, 'like' | 'request'>, SocialNotice[]>();
      const raise = (notice: SocialNotice & { kind: Exclude<NoticeKind, 'like' | 'request'> }): void => {
        notices.set(notice.kind, [...(notices.get(notice.kind) ?? []), notice]);
      };

      for (const e of added) {
        const { kind, author } = e.header;
        if (author === me && kind === 'comment' && targetOf(e)) threadReads.ownComment(wall, targetOf(e)!, e.seq);
        if (author === me || deps.isBlocked(author) || e.tombstoned) continue;
        if (kind === 'post' || kind === 'wallPost') {
          if (kind === 'wallPost' && wall === me) {
            raise({ kind: 'wallPost', title: `@${author} wrote on your wall`, message: excerpt(textOf(e)), postId: e.id, wall });
          } else if (wall !== me) {
            const title = kind === 'post' ? `@${author} posted` : `@${author} wrote on @${wall}’s wall`;
            raise({ kind: 'post', title, message: excerpt(textOf(e)), postId: e.id, wall });
          }
          continue;
        }
        const targetId = targetOf(e);
        if (!targetId) continue;
        if (kind === 'unlike') {
          dropLike(targetId, author);
          continue;
        }
        if (kind !== 'comment' && kind !== 'like') continue;
        const target = await reads.entry(targetId);
        if (!target || target.tombstoned || deps.isBlocked(target.header.author)) continue;
        if (kind === 'like') {
          const postId = target.header.kind === 'comment' ? targetOf(target) : target.id;
          if (target.header.author === me && postId) addLike(target, postId, author);
          continue;
        }
        const post = target;
        const postAuthor = post.header.author;
        const comment = { message: excerpt(textOf(e)), postId: post.id, wall };
        if (postAuthor === me) raise({ kind: 'comment', title: `@${author} commented on your post`, ...comment });
        else if (wall === me) raise({ kind: 'comment', title: `@${author} commented on your wall`, ...comment });
        else if ((await reads.myFirstComment(post.id)) < e.seq) {
          const whose = postAuthor === author ? 'their' : `@${postAuthor}’s`;
          raise({ kind: 'reply', title: `@${author} also commented on ${whose} post`, ...comment });
        }
      }

      for (const [kind, list] of notices) {
        for (const notice of list.slice(-NOTIFY_AT_MOST)) deps.notify(notice);
        const more = list.length - NOTIFY_AT_MOST;
        if (more > 0) deps.notify({ kind, title: `@${wall}`, message: SUMMARY[kind](more), postId: null, wall, count: more });
      }
    },
  };
}

export type WallNotices = ReturnType<typeof createWallNotices>;
