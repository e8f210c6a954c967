import { defineStore, storeToRefs } from 'pinia';
import { computed, ref, watch } from 'vue';
import { PeerwallError } from '@/platform/errors';
import { FEED_MAX } from '@/platform/messages';
import { sendRequest } from '@/platform/message-client';
import { stagePhotos, type PickedPhoto } from '@/platform/photos/stage-photos';
import { unseenItem } from '@/platform/storage-items';
import { EXPANDED_MAX, type ActionReceipt, type FeedPost } from '@/platform/social/social-views';
import { useConnectionStore } from './connection';
import { useSessionStore } from './session';

export const FEED_PAGE = 50;
export { FEED_MAX };

/** Newest first, as the peer host's index reads them: by time, then sequence, then id. */
function newerFirst(a: FeedPost, b: FeedPost): number {
  return b.shownAt - a.shownAt || b.seq - a.seq || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The merged feed (or one wall of it), newest first, as the peer host reads it from its index. */
export const useFeedStore = defineStore('feed', () => {
  const posts = ref<FeedPost[]>([]);
  const wall = ref<string | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const posting = ref(false);
  const limit = ref(FEED_PAGE);
  /** Posts whose whole thread is shown (the others show their newest comments), newest choice last. */
  const expanded = ref<string[]>([]);

  /**
   * Reloads the page. While a reload is in flight, calls wait for one more that starts after it — one,
   * however many came meanwhile —, so a catch-up's stream of change notices costs a reload at a time, and
   * an older answer never lands after a newer one.
   */
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  function load(): Promise<void> {
    if (running) {
      next ??= running.then(() => {
        next = null;
        return load();
      });
      return next;
    }
    running = fetchPage().finally(() => {
      running = null;
    });
    return running;
  }

  async function fetchPage(): Promise<void> {
    try {
      posts.value = await sendRequest('host:feed', { limit: limit.value, wall: wall.value, expanded: [...expanded.value] });
      loaded.value = true;
      // "Will be delivered when …" lasts while what it is about still waits for the wall's owner.
      if (receiptFor.value !== null && !pendingHere(receiptFor.value)) receipt.value = receiptFor.value = null;
      error.value = null;
    } catch (caught) {
      if (!(caught instanceof PeerwallError && caught.code === 'signed_out')) {
        error.value = caught instanceof PeerwallError ? caught.message : 'Could not load the posts.';
      }
    }
  }

  /** Puts new rows where they belong (once each), keeping the page at its size. */
  function insert(rows: readonly FeedPost[]): void {
    const known = new Set(posts.value.map((p) => p.id));
    const fresh = rows.filter((r) => !known.has(r.id) && (wall.value === null || r.wall === wall.value));
    if (fresh.length === 0) return;
    posts.value = [...posts.value, ...fresh].sort(newerFirst).slice(0, limit.value);
  }

  const { socialChange } = storeToRefs(useConnectionStore());
  watch(socialChange, (change) => {
    if (!change || !loaded.value) return;
    if (change.feed) void load();
    else insert(change.posts);
  });

  /** What became of the last post written on a friend's wall (it shows once its owner seals it). */
  const receipt = ref<string | null>(null);
  /** The entry `receipt` is about. */
  const receiptFor = ref<string | null>(null);
  /** Whether the page shows the post or comment `id` as still waiting for its wall's owner. */
  const pendingHere = (id: string) => posts.value.some((p) => (p.id === id && p.pending) || p.comments.some((c) => c.id === id && c.pending));

  /**
   * Posts on the wall shown: one's own (the merged feed or one's wall) or the friend's being viewed.
   * Resolves with an error sentence, or null when posted.
   */
  async function post(text: string, photos: readonly PickedPhoto[] = []): Promise<string | null> {
    posting.value = true;
    receipt.value = receiptFor.value = null;
    try {
      // Photo bytes are staged in storage the peer host reads, never sent in a message.
      const staged = photos.length ? await stagePhotos(photos) : null;
      if (staged && !staged.ok) return staged.reason;
      const named = staged?.ok ? { photos: staged.value } : {};
      if (wall.value && wall.value !== useSessionStore().handle) {
        const written = await sendRequest('host:write-on-wall', { wall: wall.value, text, ...named });
        [receipt.value, receiptFor.value] = [written.message, written.id];
        await load(); // it shows at once, marked pending
      } else {
        insert([await sendRequest('host:post', { text, ...named })]);
      }
      return null;
    } catch (caught) {
      return caught instanceof PeerwallError ? caught.message : 'The post could not be saved. Try again.';
    } finally {
      posting.value = false;
    }
  }

  /**
   * Runs an action on a post or comment, then reloads so its pending state shows at once.
   * Resolves with an error sentence, or null when done; `receipt` says when it waits for an owner.
   */
  async function act(action: () => Promise<ActionReceipt>): Promise<string | null> {
    try {
      const done = await action();
      [receipt.value, receiptFor.value] = [done.message, done.id];
      await load();
      return null;
    } catch (caught) {
      return caught instanceof PeerwallError ? caught.message : 'That did not work. Try again.';
    }
  }

  const comment = (post: Pick<FeedPost, 'wall' | 'id'>, text: string) =>
    act(() => sendRequest('host:comment', { wall: post.wall, target: post.id, text }));
  const like = (wall: string, target: string, liked: boolean) => act(() => sendRequest('host:like', { wall, target, liked }));
  const edit = (wall: string, target: string, text: string) => act(() => sendRequest('host:edit', { wall, target, text }));
  const remove = (wall: string, target: string) => act(() => sendRequest('host:delete', { wall, target }));

  /** Shows a post's older comments too. */
  async function expand(postId: string): Promise<void> {
    expanded.value = [...expanded.value.filter((id) => id !== postId), postId].slice(-EXPANDED_MAX);
    await load();
  }

  async function showWall(handle: string | null): Promise<void> {
    wall.value = handle;
    receipt.value = receiptFor.value = null;
    expanded.value = [];
    limit.value = FEED_PAGE;
    await load();
  }

  /** True when the last page was full, so older posts may exist. */
  const hasMore = computed(() => posts.value.length >= limit.value && limit.value < FEED_MAX);

  async function showOlder(): Promise<void> {
    limit.value = Math.min(FEED_MAX, limit.value + FEED_PAGE);
    await load();
  }

  /** The person opened what a clicked notification named: the background forgets it (and the badge count). */
  async function markSeen(): Promise<void> {
    await sendRequest('bg:mark-seen').catch(() => undefined);
  }

  /**
   * When the person last looked at the view shown (a `feedViewKey`; null: never, or a view without one),
   * read as the view opens and not followed after, so the "New since you last looked" divider stays put
   * while they read. The background records it when a page stops showing the view.
   */
  const lookedAt = ref<number | null>(null);
  async function readLookedAt(view: string | null): Promise<void> {
    lookedAt.value = view === null ? null : ((await unseenItem.getValue()).lookedAt[view] ?? null);
  }

  return {
    posts, wall, loaded, error, posting, receipt, receiptFor, pendingHere, hasMore, expanded, lookedAt,
    load, post, comment, like, edit, remove, expand, showWall, showOlder, markSeen, readLookedAt,
  };
});
