import { defineStore, storeToRefs } from 'pinia';
import { computed, ref, watch } from 'vue';
import { PeerwallError } from '@/platform/errors';
import { sendRequest } from '@/platform/message-client';
import type { FeedPost } from '@/platform/social/social-views';
import { useConnectionStore } from './connection';

export const FEED_PAGE = 50;
/** The peer host answers at most this many posts per request. */
export const FEED_MAX = 500;

/** The merged feed (or one wall of it), newest first, as the peer host reads it from its index. */
export const useFeedStore = defineStore('feed', () => {
  const posts = ref<FeedPost[]>([]);
  const wall = ref<string | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const posting = ref(false);
  const limit = ref(FEED_PAGE);

  async function load(): Promise<void> {
    try {
      posts.value = await sendRequest('host:feed', { limit: limit.value, wall: wall.value });
      loaded.value = true;
      error.value = null;
    } catch (caught) {
      if (!(caught instanceof PeerwallError && caught.code === 'signed_out')) {
        error.value = caught instanceof PeerwallError ? caught.message : 'Could not load the posts.';
      }
    }
  }

  const { socialVersion } = storeToRefs(useConnectionStore());
  watch(socialVersion, () => void load());

  /** Posts on the own wall; resolves with an error sentence, or null when posted. */
  async function post(text: string): Promise<string | null> {
    posting.value = true;
    try {
      await sendRequest('host:post', { text });
      await load();
      return null;
    } catch (caught) {
      return caught instanceof PeerwallError ? caught.message : 'The post could not be saved. Try again.';
    } finally {
      posting.value = false;
    }
  }

  async function showWall(handle: string | null): Promise<void> {
    wall.value = handle;
    limit.value = FEED_PAGE;
    await load();
  }

  /** True when the last page was full, so older posts may exist. */
  const hasMore = computed(() => posts.value.length >= limit.value && limit.value < FEED_MAX);

  async function showOlder(): Promise<void> {
    limit.value = Math.min(FEED_MAX, limit.value + FEED_PAGE);
    await load();
  }

  /** The person looked at the feed: the badge count goes back to zero. */
  async function markSeen(): Promise<void> {
    await sendRequest('bg:mark-seen').catch(() => undefined);
  }

  return { posts, wall, loaded, error, posting, hasMore, load, post, showWall, showOlder, markSeen };
});
