import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { focusHash, focusOfNotification, markSeen, postIdOfNotification, recordLooked, showNotice } from '@/platform/background/notifier';
import type { SocialNotice } from '@/platform/social/social-views';
import { settingsItem, unseenItem } from '@/platform/storage-items';

type Stubbed = Record<string, Record<string, unknown>>;
const POST_ID = 'ab'.repeat(32);

function stubBadgeAndNotifications() {
  const b = fakeBrowser as unknown as Stubbed;
  const setBadgeText = vi.fn(async () => undefined);
  const create = vi.fn(async () => 'id');
  b.action = { setBadgeText, setBadgeBackgroundColor: vi.fn(async () => undefined) };
  b.notifications = { ...b.notifications, create };
  return { setBadgeText, create };
}

describe('notifications and the badge', () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('counts each friend post on the badge and raises a notification naming the post', async () => {
    const { setBadgeText, create } = stubBadgeAndNotifications();

    await showNotice({ kind: 'post', title: '@alice posted', message: 'hello', postId: POST_ID, wall: 'alice' });
    await showNotice({ kind: 'request', title: 'Friend request', message: '@bob wants to be your friend.', postId: null });

    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '2' });
    expect(create).toHaveBeenCalledTimes(2);
    const [id, options] = create.mock.calls[0] as unknown as [string, Record<string, unknown>];
    expect(focusOfNotification(id)).toEqual({ postId: POST_ID, wall: 'alice' });
    expect(options).toMatchObject({ type: 'basic', title: '@alice posted', message: 'hello' });
    // A notice points no page at its post: only a click on its notification does.
    expect(await unseenItem.getValue()).toEqual({ count: 2, focusPostId: null, focusWall: null, lookedAt: {} });
  });

  it('counts nothing while a page shows the feed, but still notifies', async () => {
    const { setBadgeText, create } = stubBadgeAndNotifications();

    await showNotice({ kind: 'post', title: 't', message: 'm', postId: POST_ID }, { feedOpen: true });

    expect((await unseenItem.getValue()).count).toBe(0);
    expect(setBadgeText).not.toHaveBeenCalled();
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('counts every notice when several arrive at once (a synced batch sends them together)', async () => {
    const { setBadgeText } = stubBadgeAndNotifications();

    await Promise.all([
      showNotice({ kind: 'post', title: 't', message: 'one', postId: POST_ID }),
      showNotice({ kind: 'post', title: 't', message: 'two', postId: POST_ID }),
      showNotice({ kind: 'post', title: 't', message: 'three', postId: POST_ID }),
    ]);

    expect((await unseenItem.getValue()).count).toBe(3);
    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '3' });
  });

  it('clears the badge when the feed has been seen', async () => {
    const { setBadgeText } = stubBadgeAndNotifications();
    await showNotice({ kind: 'post', title: 't', message: 'm', postId: POST_ID });

    await markSeen();

    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '' });
    expect((await unseenItem.getValue()).count).toBe(0);
  });

  it.each<[SocialNotice['kind'], 'posts' | 'wallPosts' | 'comments' | 'replies' | 'likes' | 'requests']>([
    ['post', 'posts'],
    ['wallPost', 'wallPosts'],
    ['comment', 'comments'],
    ['reply', 'replies'],
    ['like', 'likes'],
    ['request', 'requests'],
  ])('neither counts a %s nor notifies when its switch (%s) is off', async (kind, key) => {
    const { setBadgeText, create } = stubBadgeAndNotifications();
    const settings = await settingsItem.getValue();
    await settingsItem.setValue({ ...settings, notify: { ...settings.notify, [key]: false } });

    await showNotice({ kind, title: 't', message: 'm', postId: POST_ID, wall: 'alice', count: 2 });
    const others = (['post', 'wallPost', 'comment', 'reply', 'like', 'request'] as const).filter((k) => k !== kind);
    for (const other of others) await showNotice({ kind: other, title: other, message: 'm', postId: POST_ID, wall: 'alice' });

    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '5' });
    expect(create.mock.calls.map((call) => (call as unknown as [string, { title: string }])[1].title)).toEqual(others);
  });

  it('shows no badge at all when every kind is switched off', async () => {
    const { setBadgeText, create } = stubBadgeAndNotifications();
    const settings = await settingsItem.getValue();
    const allOff = { posts: false, wallPosts: false, comments: false, replies: false, likes: false, requests: false };
    await settingsItem.setValue({ ...settings, notify: allOff });

    for (const kind of ['post', 'wallPost', 'comment', 'reply', 'like', 'request'] as const) {
      await showNotice({ kind, title: kind, message: 'm', postId: POST_ID, wall: 'alice' });
    }

    expect(setBadgeText).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
    expect((await unseenItem.getValue()).count).toBe(0);
  });

  it('remembers when each feed view was last looked at, keeping the newest few', async () => {
    stubBadgeAndNotifications();
    await unseenItem.setValue({ count: 2, focusPostId: null, focusWall: null, lookedAt: {} });

    for (let i = 0; i < 10; i += 1) await recordLooked(`wall:user${i}`, 1_000 + i);
    await recordLooked('feed', 5_000);
    await recordLooked('feed', 6_000);

    const { count, lookedAt } = await unseenItem.getValue();
    expect(count).toBe(2);
    expect(lookedAt).toEqual({ feed: 6_000, 'wall:user9': 1_009, 'wall:user8': 1_008, 'wall:user7': 1_007, 'wall:user6': 1_006, 'wall:user5': 1_005, 'wall:user4': 1_004, 'wall:user3': 1_003 });
  });

  it('reads only our own notification ids, with the wall when they name one', () => {
    expect(focusOfNotification(`peerwall-${POST_ID}-bob_2-123`)).toEqual({ postId: POST_ID, wall: 'bob_2' });
    expect(focusOfNotification(`peerwall-${POST_ID}-123`)).toEqual({ postId: POST_ID, wall: null });
    expect(focusOfNotification('peerwall-post-bob-123')).toEqual({ postId: null, wall: 'bob' });
    expect(focusOfNotification('peerwall-request-123')).toEqual({ postId: null, wall: null });
    expect(postIdOfNotification(`peerwall-${POST_ID}-123`)).toBe(POST_ID);
    expect(postIdOfNotification('peerwall-request-123')).toBeNull();
    expect(postIdOfNotification(`other-${POST_ID}-1`)).toBeNull();
    expect(focusOfNotification(`other-${POST_ID}-1`)).toBeNull();
  });

  it('builds the side panel hash that opens a wall at a post', () => {
    expect(focusHash({ postId: POST_ID, wall: 'bob' })).toBe(`#wall-bob/post-${POST_ID}`);
    expect(focusHash({ postId: POST_ID, wall: null })).toBe(`#post-${POST_ID}`);
    expect(focusHash({ postId: null, wall: 'bob' })).toBe('#wall-bob');
    expect(focusHash({ postId: null, wall: null })).toBe('');
  });

  it('opens a clicked post once: seeing the feed forgets it, and keeps when views were last looked at', async () => {
    stubBadgeAndNotifications();
    await unseenItem.setValue({ count: 3, focusPostId: POST_ID, focusWall: 'bob', lookedAt: { feed: 5 } });

    await markSeen();

    expect(await unseenItem.getValue()).toEqual({ count: 0, focusPostId: null, focusWall: null, lookedAt: { feed: 5 } });
  });
});

describe('clicking a notification', () => {
  beforeEach(() => fakeBrowser.reset());

  it('opens the side panel page at the post when the side panel cannot be opened directly', async () => {
    const b = fakeBrowser as unknown as Stubbed;
    const create = vi.fn(async () => ({}));
    const listeners: ((id: string) => void)[] = [];
    b.notifications = { onClicked: { addListener: (l: (id: string) => void) => listeners.push(l) }, clear: vi.fn(async () => true) };
    b.windows = { getLastFocused: vi.fn(async () => ({ id: 1 })) };
    b.sidePanel = { open: vi.fn(async () => Promise.reject(new Error('needs a user gesture'))) };
    b.tabs = { create };
    const { handleNotificationClicks } = await import('@/platform/background/notifier');

    handleNotificationClicks();
    listeners[0]!(`peerwall-${POST_ID}-bob-1`);
    await new Promise((r) => setTimeout(r, 10));

    expect(create).toHaveBeenCalledWith({ url: fakeBrowser.runtime.getURL(`/sidepanel.html#wall-bob/post-${POST_ID}` as '/sidepanel.html') });
    expect(await unseenItem.getValue()).toMatchObject({ focusPostId: POST_ID, focusWall: 'bob' });
  });
});
