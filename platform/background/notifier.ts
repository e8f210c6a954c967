import { browser } from 'wxt/browser';
import type { SocialNotice } from '../social/social-views';
import { settingsItem, unseenItem, type UnseenV1 } from '../storage-items';
import { openSidePanel } from './side-panel';

const PREFIX = 'peerwall-';

interface BadgeApi {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor?(details: { color: string }): Promise<void>;
}

/** MV3 `action`, MV2 `browserAction`. */
function badgeApi(): BadgeApi | null {
  const api = browser as unknown as { action?: BadgeApi; browserAction?: BadgeApi };
  return api.action ?? api.browserAction ?? null;
}

export async function showBadge(count: number): Promise<void> {
  const badge = badgeApi();
  if (!badge) return;
  await badge.setBadgeText({ text: count > 0 ? String(Math.min(count, 999)) : '' });
  if (count > 0) await badge.setBadgeBackgroundColor?.({ color: '#b3261e' });
}

/**
 * A friend post or request: counts it as unseen on the badge and, unless the person turned
 * notifications off, raises a browser notification whose id carries the post to open.
 */
export async function showNotice(notice: SocialNotice): Promise<void> {
  await updateUnseen((unseen) => ({ count: unseen.count + (notice.count ?? 1), focusPostId: notice.postId ?? unseen.focusPostId }));
  if (!(await settingsItem.getValue()).notifications) return;
  await browser.notifications.create(`${PREFIX}${notice.postId ?? 'request'}-${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notice.title,
    message: notice.message,
  });
}

export async function markSeen(): Promise<void> {
  await updateUnseen((unseen) => ({ count: 0, focusPostId: unseen.focusPostId }));
}

let unseenQueue: Promise<unknown> = Promise.resolve();

/**
 * Read-modify-write of the unseen count, one at a time: a synced batch sends several notices
 * at once, and interleaved updates would each count from the same old value.
 */
function updateUnseen(change: (unseen: UnseenV1) => UnseenV1): Promise<void> {
  const next = unseenQueue.then(async () => {
    const updated = change(await unseenItem.getValue());
    await unseenItem.setValue(updated);
    await showBadge(updated.count);
  });
  unseenQueue = next.catch(() => undefined);
  return next;
}

/** The post id a notification id names, or null for requests. */
export function postIdOfNotification(id: string): string | null {
  const match = /^peerwall-([0-9a-f]{64})-\d+$/.exec(id);
  return match ? match[1]! : null;
}

/** Clicking a notification opens the side panel (or, where that is refused, a tab of it) at the post. */
export function handleNotificationClicks(): void {
  browser.notifications.onClicked.addListener((id) => {
    if (!id.startsWith(PREFIX)) return;
    const postId = postIdOfNotification(id);
    void unseenItem.getValue().then((unseen) => unseenItem.setValue({ ...unseen, focusPostId: postId }));
    void browser.notifications.clear(id);
    const tabUrl = browser.runtime.getURL(`/sidepanel.html${postId ? `#post-${postId}` : ''}` as '/sidepanel.html');
    void browser.windows
      .getLastFocused()
      .then((window) => openSidePanel(window.id))
      .catch(() => browser.tabs.create({ url: tabUrl }));
  });
}
