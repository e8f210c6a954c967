import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { markSeen, postIdOfNotification, showNotice } from '@/platform/background/notifier';
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

    await showNotice({ kind: 'post', title: '@alice posted', message: 'hello', postId: POST_ID });
    await showNotice({ kind: 'request', title: 'Friend request', message: '@bob wants to be your friend.', postId: null });

    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '2' });
    expect(create).toHaveBeenCalledTimes(2);
    const [id, options] = create.mock.calls[0] as unknown as [string, Record<string, unknown>];
    expect(postIdOfNotification(id)).toBe(POST_ID);
    expect(options).toMatchObject({ type: 'basic', title: '@alice posted', message: 'hello' });
    expect(await unseenItem.getValue()).toEqual({ count: 2, focusPostId: POST_ID });
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

  it('still counts but shows no notification when notifications are turned off', async () => {
    const { setBadgeText, create } = stubBadgeAndNotifications();
    await settingsItem.setValue({ brokerUrl: null, notifications: false });

    await showNotice({ kind: 'post', title: 't', message: 'm', postId: POST_ID });

    expect(create).not.toHaveBeenCalled();
    expect(setBadgeText).toHaveBeenLastCalledWith({ text: '1' });
  });

  it('reads only our own notification ids', () => {
    expect(postIdOfNotification(`peerwall-${POST_ID}-123`)).toBe(POST_ID);
    expect(postIdOfNotification('peerwall-request-123')).toBeNull();
    expect(postIdOfNotification(`other-${POST_ID}-1`)).toBeNull();
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
    listeners[0]!(`peerwall-${POST_ID}-1`);
    await new Promise((r) => setTimeout(r, 10));

    expect(create).toHaveBeenCalledWith({ url: fakeBrowser.runtime.getURL(`/sidepanel.html#post-${POST_ID}` as '/sidepanel.html') });
    expect((await unseenItem.getValue()).focusPostId).toBe(POST_ID);
  });
});
