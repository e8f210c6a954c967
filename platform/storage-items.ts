import { storage } from 'wxt/utils/storage';
import { backupTimesItem } from './backup/backup-times';
import { parseSession, type Session, type SessionV1 } from './session';

/**
 * Small state in `browser.storage.local`, versioned from the start: a change adds a
 * version, a migration and keeps the old type (see tests/extension/storage-items.test.ts).
 */
export const sessionItem = storage.defineItem<SessionV1 | null>('local:session', {
  version: 1,
  migrations: {},
  fallback: null,
});

export interface SettingsV1 {
  /** The Broker URL last used to sign in, to prefill the form. */
  brokerUrl: string | null;
}
export interface SettingsV2 extends SettingsV1 {
  /** Browser notifications for friend posts and requests (the badge counted either way in V2). */
  notifications: boolean;
}
/** Which kinds of notice raise a browser notification and count on the badge (a kind switched off does neither). */
export interface NotifySwitchesV3 {
  /** Friends' posts on their walls. */
  posts: boolean;
  /** Friends' posts on one's own wall. */
  wallPosts: boolean;
  /** Comments on one's posts and wall. */
  comments: boolean;
  /** Comments after one's own under a post. */
  replies: boolean;
  /** Likes of one's posts and comments. */
  likes: boolean;
  /** Friend requests and accepted requests. */
  requests: boolean;
}
export interface SettingsV3 extends SettingsV1 {
  notify: NotifySwitchesV3;
}
export type Settings = SettingsV3;
export type NotifySwitches = NotifySwitchesV3;

const notifyAll = (on: boolean): NotifySwitchesV3 => ({ posts: on, wallPosts: on, comments: on, replies: on, likes: on, requests: on });

export const settingsItem = storage.defineItem<SettingsV3>('local:settings', {
  version: 3,
  migrations: {
    2: (old: SettingsV1): SettingsV2 => ({ brokerUrl: old.brokerUrl, notifications: true }),
    // The one switch becomes one per kind: whoever turned notifications off keeps them all off.
    3: (old: SettingsV2): SettingsV3 => ({ brokerUrl: old.brokerUrl, notify: notifyAll(old.notifications) }),
  },
  fallback: { brokerUrl: null, notify: notifyAll(true) },
});

/** Friend posts and requests not yet seen; the toolbar badge shows it. Kept by the background. */
export interface UnseenV1 {
  count: number;
  /** The newest post a notification pointed at, for the side panel to scroll to. */
  focusPostId: string | null;
}
export interface UnseenV2 extends UnseenV1 {
  /** The wall of the post a clicked notification pointed at, to open once; cleared when the feed is seen. */
  focusWall: string | null;
}
/**
 * `focusPostId` and `focusWall` now name only a clicked notification's target (no longer the newest
 * notice's post, which went stale), taken once by the side panel; `lookedAt` remembers when the person
 * last looked at each feed view, for the "New since you last looked" divider.
 */
export interface UnseenV3 extends UnseenV2 {
  /** Per feed view (`feedViewKey`: the merged feed, one's own wall), when a page last stopped showing it (ms). */
  lookedAt: Record<string, number>;
}
export type Unseen = UnseenV3;

/** How many feed views `lookedAt` remembers (one's feed and wall, for a few accounts); the oldest go first. */
export const LOOKED_AT_MAX = 8;

export const unseenItem = storage.defineItem<UnseenV3>('local:unseen', {
  version: 3,
  migrations: {
    2: (old: UnseenV1): UnseenV2 => ({ count: old.count, focusPostId: old.focusPostId, focusWall: null }),
    // A post id with no wall was the newest notice's, not a click's: forgotten, so no page scrolls to it.
    3: (old: UnseenV2): UnseenV3 => ({
      count: old.count,
      focusPostId: old.focusWall ? old.focusPostId : null,
      focusWall: old.focusWall,
      lookedAt: {},
    }),
  },
  fallback: { count: 0, focusPostId: null, focusWall: null, lookedAt: {} },
});

/**
 * Forgets what this browser's storage keeps for `handle` once its account is deleted with its data:
 * the settings (Broker URL and notification switches), the unread count and notification targets,
 * and when its wall was last looked at. Other accounts' "last looked" times stay.
 */
export async function eraseStoredFor(handle: string): Promise<void> {
  const { lookedAt } = await unseenItem.getValue();
  const kept = Object.fromEntries(Object.entries(lookedAt).filter(([view]) => view.startsWith('wall:') && view !== `wall:${handle}`));
  await unseenItem.setValue({ count: 0, focusPostId: null, focusWall: null, lookedAt: kept });
  await settingsItem.removeValue();
  const { [handle]: _erased, ...backups } = await backupTimesItem.getValue();
  if (Object.keys(backups).length > 0) await backupTimesItem.setValue(backups);
  else await backupTimesItem.removeValue();
}

/** Reads the session, treating a damaged stored value as signed out (and saying so). */
export async function loadSession(): Promise<Session | null> {
  const raw = await sessionItem.getValue();
  if (raw === null) return null;
  const session = parseSession(raw);
  if (!session) console.error('[peerwall] The stored session is damaged; signing out.');
  return session;
}

export async function saveSession(session: Session | null): Promise<void> {
  if (session) {
    await sessionItem.setValue(session);
    await settingsItem.setValue({ ...(await settingsItem.getValue()), brokerUrl: session.brokerUrl });
  } else {
    await sessionItem.removeValue();
  }
}
