import type { Timers } from '../timers';
import { CHANGE_MAX_FILES, CHANGE_MAX_POSTS, type FeedPost, type SocialChange } from './social-views';

/**
 * Collects what changed during a burst (a sync can change many things in a row) and hands it
 * on once, `delayMs` after the first change, so open pages reload only what changed.
 */
export function createChangeBatcher(timers: Timers, delayMs: number, send: (change: SocialChange) => void) {
  let pending: SocialChange | null = null;
  let timer: unknown = null;
  let stopped = false;

  function add(part: Partial<SocialChange>): void {
    if (stopped) return;
    const next = pending ?? { friends: false, feed: false, posts: [] };
    next.friends ||= part.friends ?? false;
    next.feed ||= part.feed ?? false;
    if (part.posts) next.posts.push(...part.posts);
    // Progress only: past the cap the rest waits for the next notice (a file shows once complete anyway).
    for (const file of part.media ?? []) {
      next.media ??= [];
      if (!next.media.includes(file) && next.media.length < CHANGE_MAX_FILES) next.media.push(file);
    }
    // A reload shows the new rows too; past the cap a reload is also cheaper than the rows.
    if (next.feed || next.posts.length > CHANGE_MAX_POSTS) {
      next.feed = true;
      next.posts = [];
    }
    pending = next;
    timer ??= timers.setTimeout(() => {
      timer = null;
      const change = pending;
      pending = null;
      if (change && !stopped) send(change);
    }, delayMs);
  }

  return {
    /** Friends, requests, blocks, presence or problems changed. */
    friends: () => add({ friends: true }),
    /** Feed rows changed in place or vanished. */
    feed: () => add({ feed: true }),
    /** New feed rows. */
    posts: (posts: FeedPost[]) => add({ posts }),
    /** A photo file gained chunks (a transfer under way): pages show how far it got. */
    file: (name: string) => add({ media: [name] }),
    stop(): void {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}

export type ChangeBatcher = ReturnType<typeof createChangeBatcher>;
