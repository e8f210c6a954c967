import { browser } from 'wxt/browser';
import type { NoticeKind, SocialNotice } from '../social/social-views';
import { LOOKED_AT_MAX, settingsItem, unseenItem, type NotifySwitches, type Unseen } from '../storage-items';
import { openSidePanel } from './side-panel';

const PREFIX = 'peerwall-';
/**
 * `peerwall-<post id>-<wall>-<ms>`, or `peerwall-<kind>-<wall>-<ms>` for a notice without a post; the
 * wall may be absent (ids from before walls were named, and requests).
 */
const NOTIFICATION_ID = /^peerwall-(?:([0-9a-f]{64})|[a-zA-Z]+)(?:-([a-z0-9_]{1,15}))?-\d+$/;

/** The setting that switches each kind of notice's browser notification and badge count. */
const SWITCH_OF: Record<NoticeKind, keyof NotifySwitches> = {
  post: 'posts',
  wallPost: 'wallPosts',
  comment: 'comments',
  reply: 'replies',
  like: 'likes',
  request: 'requests',
};

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
 * A notice whose kind the person left switched on: raises a browser notification whose id carries the
 * post to open and its wall, and counts it on the badge unless a page showing the feed is open (the
 * person sees it arrive there). A kind switched off in Settings does neither.
 */
export async function showNotice(notice: SocialNotice, options: { feedOpen: boolean } = { feedOpen: false }): Promise<void> {
  if (!(await settingsItem.getValue()).notify[SWITCH_OF[notice.kind]]) return;
  if (!options.feedOpen) await updateUnseen((unseen) => ({ ...unseen, count: unseen.count + (notice.count ?? 1) }));
  const wall = notice.wall ? `-${notice.wall}` : '';
  await browser.notifications.create(`${PREFIX}${notice.postId ?? notice.kind}${wall}-${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notice.title,
    message: notice.message,
  });
}

/** The person sees the feed: nothing is unseen, and a clicked notification's target has been opened. */
export async function markSeen(): Promise<void> {
  await updateUnseen((unseen) => ({ ...unseen, count: 0, focusPostId: null, focusWall: null }));
}

/** A page stopped showing the feed view `view` at `at`: what is newer is "new since you last looked" there. */
export async function recordLooked(view: string, at: number): Promise<void> {
  await updateUnseen((unseen) => {
    const kept = Object.entries(unseen.lookedAt)
      .filter(([key]) => key !== view)
      .sort(([, a], [, b]) => b - a)
      .slice(0, LOOKED_AT_MAX - 1);
    return { ...unseen, lookedAt: Object.fromEntries([[view, at], ...kept]) };
  });
}

let unseenQueue: Promise<unknown> = Promise.resolve();

/**
 * Read-modify-write of the unseen state, one at a time: a synced batch sends several notices
 * at once, and interleaved updates would each count from the same old value.
 */
function updateUnseen(change: (unseen: Unseen) => Unseen): Promise<void> {
  const next = unseenQueue.then(async () => {
    const updated = change(await unseenItem.getValue());
    await unseenItem.setValue(updated);
    await showBadge(updated.count);
  });
  unseenQueue = next.catch(() => undefined);
  return next;
}

/** What a notification of ours points at: a post and its wall, either absent; null for another id. */
export function focusOfNotification(id: string): { postId: string | null; wall: string | null } | null {
  const match = NOTIFICATION_ID.exec(id);
  return match ? { postId: match[1] ?? null, wall: match[2] ?? null } : null;
}

/** The post id a notification id names, or null for requests and summaries. */
export function postIdOfNotification(id: string): string | null {
  return focusOfNotification(id)?.postId ?? null;
}

/** The side panel page's hash for a focus: `#wall-<wall>/post-<id>`, `#post-<id>`, `#wall-<wall>` or none. */
export function focusHash(focus: { postId: string | null; wall: string | null }): string {
  const parts = [focus.wall ? `wall-${focus.wall}` : null, focus.postId ? `post-${focus.postId}` : null].filter(Boolean);
  return parts.length ? `#${parts.join('/')}` : '';
}

/** Clicking a notification opens the side panel (or, where that is refused, a tab of it) at the post, in its wall. */
export function handleNotificationClicks(): void {
  browser.notifications.onClicked.addListener((id) => {
    if (!id.startsWith(PREFIX)) return;
    const focus = focusOfNotification(id) ?? { postId: null, wall: null };
    void updateUnseen((unseen) => ({ ...unseen, focusPostId: focus.postId, focusWall: focus.wall }));
    void browser.notifications.clear(id);
    const tabUrl = browser.runtime.getURL(`/sidepanel.html${focusHash(focus)}` as '/sidepanel.html');
    void browser.windows
      .getLastFocused()
      .then((window) => openSidePanel(window.id))
      .catch(() => browser.tabs.create({ url: tabUrl }));
  });
}
