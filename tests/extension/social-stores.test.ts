import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { FeedPost } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFeedStore } from '@/stores/feed';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';
import { flush } from './support/fake-time';
import { feedPost } from './support/views';

const post = (seq: number): FeedPost => feedPost({ id: String(seq).padStart(64, '0'), seq, text: `post ${seq}`, shownAt: seq });

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
      { limit: 50, wall: null, expanded: [] },
      { limit: 100, wall: null, expanded: [] },
      { limit: 100, wall: null, expanded: [] },
    ]);
  });

  it('reloads one page at a time: notices during a reload make one more, and the newest answer stays', async () => {
    const answers: Array<(posts: FeedPost[]) => void> = [];
    const seen = host((type) => {
      if (type !== 'host:feed') return { ok: true, value: null };
      return new Promise((resolve) => answers.push((value) => resolve({ ok: true, value })));
    });
    const feed = useFeedStore();
    const first = feed.load();
    await flush();
    answers.shift()!([post(1)]);
    await first;

    const connection = useConnectionStore();
    for (let i = 0; i < 5; i++) {
      connection.socialChange = { friends: false, feed: true, posts: [] };
      await flush();
    }
    // One reload in flight, one waiting behind it for the four notices that came meanwhile.
    expect(seen.filter((r) => r.type === 'host:feed')).toHaveLength(2);
    answers.shift()!([post(2), post(1)]);
    await flush();
    expect(seen.filter((r) => r.type === 'host:feed')).toHaveLength(3);
    const mine = feed.load(); // waits for a reload that starts after it
    answers.shift()!([post(3), post(2), post(1)]);
    await flush();
    expect(feed.posts.map((p) => p.seq)).toEqual([3, 2, 1]);
    answers.shift()!([post(4), post(3), post(2), post(1)]);
    await mine;
    expect(feed.posts.map((p) => p.seq)).toEqual([4, 3, 2, 1]);
    expect(seen.filter((r) => r.type === 'host:feed')).toHaveLength(4);
  });

  it('asks for the whole thread of the posts opened, and forgets them when another wall is shown', async () => {
    const seen = host((type) => (type === 'host:feed' ? { ok: true, value: [post(2), post(1)] } : { ok: true, value: null }));
    const feed = useFeedStore();
    await feed.load();

    await feed.expand(post(1).id);
    await feed.expand(post(2).id);
    await feed.expand(post(1).id);
    await feed.showWall('bob');

    expect(seen.filter((r) => r.type === 'host:feed').map((r) => (r.payload as { expanded: string[] }).expanded)).toEqual([
      [],
      [post(1).id],
      [post(1).id, post(2).id],
      [post(2).id, post(1).id],
      [],
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

  it('likes, comments, edits and deletes on the wall the item is on, then reloads to show it pending', async () => {
    const target = post(1);
    // The host shows the comment pending until alice seals it.
    let sealed = false;
    const pendingComment = { id: 'e'.repeat(64), author: 'me', text: 'Nice', shownAt: 1, edited: false, likes: [], vouchedBy: null };
    const seen = host((type) => {
      if (type === 'host:feed') return { ok: true, value: [{ ...target, comments: [{ ...pendingComment, pending: !sealed }] }] };
      return { ok: true, value: { id: 'e'.repeat(64), message: type === 'host:comment' ? 'Will be delivered when @alice comes online.' : null } };
    });
    const feed = useFeedStore();

    expect(await feed.comment(target, 'Nice')).toBeNull();
    expect(feed.receipt).toBe('Will be delivered when @alice comes online.');
    await feed.load();
    expect(feed.receipt).toBe('Will be delivered when @alice comes online.');
    sealed = true;
    await feed.load();
    expect(feed.receipt).toBeNull(); // alice sealed it: "will be delivered" is no longer true
    expect(await feed.like('alice', target.id, true)).toBeNull();
    expect(await feed.edit('alice', target.id, 'Nicer')).toBeNull();
    expect(await feed.remove('alice', target.id)).toBeNull();

    expect(seen.filter((r) => r.type !== 'host:feed')).toEqual([
      { type: 'host:comment', payload: { wall: 'alice', target: target.id, text: 'Nice' } },
      { type: 'host:like', payload: { wall: 'alice', target: target.id, liked: true } },
      { type: 'host:edit', payload: { wall: 'alice', target: target.id, text: 'Nicer' } },
      { type: 'host:delete', payload: { wall: 'alice', target: target.id } },
    ]);
    expect(seen.filter((r) => r.type === 'host:feed')).toHaveLength(6);
  });

  it('returns the host’s sentence when a comment is refused', async () => {
    host(() => ({ ok: false, error: { code: 'not_friend', message: '@alice is not a friend of yours any more.' } }));

    expect(await useFeedStore().comment(post(1), 'Nice')).toBe('@alice is not a friend of yours any more.');
  });

  it('posts with host:post on one’s own wall and with host:write-on-wall on a friend’s', async () => {
    const seen = host((type) => {
      if (type === 'host:feed') return { ok: true, value: [] };
      if (type === 'host:post') return { ok: true, value: { ...post(9), wall: 'me', author: 'me' } };
      return { ok: true, value: { id: 'e'.repeat(64), wall: 'alice', message: 'Sent.' } };
    });
    useSessionStore().handle = 'me';
    const feed = useFeedStore();

    await feed.showWall('me');
    expect(await feed.post('mine')).toBeNull();
    expect(feed.posts.map((p) => p.seq)).toEqual([9]);
    await feed.showWall('alice');
    expect(await feed.post('yours')).toBeNull();

    expect(seen.filter((r) => r.type === 'host:post' || r.type === 'host:write-on-wall')).toEqual([
      { type: 'host:post', payload: { text: 'mine' } },
      { type: 'host:write-on-wall', payload: { wall: 'alice', text: 'yours' } },
    ]);
  });

  it('saves the profile and dismisses a refused entry, taking the state the host returns', async () => {
    const profiles = [
      { handle: 'me', displayName: 'Me Myself', about: 'Hi' },
      { handle: 'bob', displayName: '  ', about: '' },
    ];
    const after = { friends: [], incoming: [], outgoing: [], blocked: [], problems: [], profiles, rejections: [] };
    const seen = host(() => ({ ok: true, value: after }));
    const friends = useFriendsStore();

    expect(await friends.saveProfile('Me Myself', 'Hi')).toBeNull();
    expect(await friends.dismissRejection('f'.repeat(64))).toBeNull();

    expect(seen).toEqual([
      { type: 'host:set-profile', payload: { displayName: 'Me Myself', about: 'Hi' } },
      { type: 'host:dismiss-rejection', payload: { id: 'f'.repeat(64) } },
    ]);
    expect(friends.profileOf('me')?.about).toBe('Hi');
    expect([...friends.names]).toEqual([['me', 'Me Myself']]);
  });

  it('keeps the post text for another try when posting fails', async () => {
    host(() => ({ ok: false, error: { code: 'storage_full', message: 'Your browser’s storage is full.' } }));
    const feed = useFeedStore();

    expect(await feed.post('hello')).toBe('Your browser’s storage is full.');
    expect(feed.posting).toBe(false);
  });
});
