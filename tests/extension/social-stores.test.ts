import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { FeedPost } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { flush } from './support/fake-time';

const post = (seq: number): FeedPost => ({
  id: String(seq).padStart(64, '0'),
  wall: 'alice',
  author: 'alice',
  seq,
  text: `post ${seq}`,
  shownAt: seq,
  edited: false,
  waitingFor: [],
  vouchedBy: null,
  via: null,
  likes: [],
  comments: [],
  pending: false,
});

/** Plays the peer host: records requests and answers with `{ ok, value }` or `{ ok: false, error }`. */
function host(answer: (type: string, payload: unknown) => unknown) {
  const seen: { type: string; payload: unknown }[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { type, payload } = message as { type: string; payload: unknown };
    seen.push({ type, payload });
    return Promise.resolve(answer(type, payload));
  });
  return seen;
}

describe('feed and friends stores', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    setActivePinia(createPinia());
  });

  it('loads a page of the feed, then older posts, and reloads when the host reports changed rows', async () => {
    const seen = host((type, payload) => {
      if (type !== 'host:feed') return { ok: true, value: null };
      const { limit } = payload as { limit: number };
      return { ok: true, value: Array.from({ length: Math.min(limit, 70) }, (_, i) => post(70 - i)) };
    });
    const feed = useFeedStore();

    await feed.load();
    expect(feed.posts).toHaveLength(50);
    expect(feed.hasMore).toBe(true);

    await feed.showOlder();
    expect(feed.posts).toHaveLength(70);
    expect(feed.hasMore).toBe(false);

    useConnectionStore().socialChange = { friends: false, feed: true, posts: [] };
    await flush();
    expect(seen.filter((r) => r.type === 'host:feed').map((r) => r.payload)).toEqual([
      { limit: 50, wall: null },
      { limit: 100, wall: null },
      { limit: 100, wall: null },
    ]);
  });

  it('inserts new posts from a change notice where they belong, once each, without asking the host', async () => {
    const seen = host((type) => (type === 'host:feed' ? { ok: true, value: [post(5), post(3)] } : { ok: true, value: null }));
    const feed = useFeedStore();
    await feed.load();

    const bobs = { ...post(4), wall: 'bob', author: 'bob' };
    useConnectionStore().socialChange = { friends: false, feed: false, posts: [post(6), bobs] };
    await flush();
    useConnectionStore().socialChange = { friends: false, feed: false, posts: [post(6)] };
    await flush();

    expect(feed.posts.map((p) => p.seq)).toEqual([6, 5, 4, 3]);
    expect(seen.filter((r) => r.type === 'host:feed')).toHaveLength(1);
  });

  it('inserts only posts of the wall it shows', async () => {
    host((type) => (type === 'host:feed' ? { ok: true, value: [] } : { ok: true, value: null }));
    const feed = useFeedStore();
    await feed.showWall('bob');

    useConnectionStore().socialChange = { friends: false, feed: false, posts: [post(6), { ...post(7), wall: 'bob', author: 'bob' }] };
    await flush();

    expect(feed.posts.map((p) => p.seq)).toEqual([7]);
  });

  it('reloads the friend list only when friends changed', async () => {
    const empty = { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles: [], rejections: [] };
    const seen = host((type) => ({ ok: true, value: type === 'host:social-state' ? empty : [] }));
    const friends = useFriendsStore();
    await friends.load();

    useConnectionStore().socialChange = { friends: false, feed: false, posts: [post(1)] };
    await flush();
    useConnectionStore().socialChange = { friends: true, feed: false, posts: [] };
    await flush();

    expect(seen.filter((r) => r.type === 'host:social-state')).toHaveLength(2);
  });

  it('returns the host’s sentence when adding a friend fails, and keeps the state', async () => {
    host(() => ({ ok: false, error: { code: 'unknown_handle', message: 'Nobody has the handle @zed.' } }));
    const friends = useFriendsStore();

    expect(await friends.addFriend('zed')).toBe('Nobody has the handle @zed.');
    expect(friends.state.friends).toEqual([]);
  });

  it('keeps the post text for another try when posting fails', async () => {
    host(() => ({ ok: false, error: { code: 'storage_full', message: 'Your browser’s storage is full.' } }));
    const feed = useFeedStore();

    expect(await feed.post('hello')).toBe('Your browser’s storage is full.');
    expect(feed.posting).toBe(false);
  });
});
