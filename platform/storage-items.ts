import { storage } from 'wxt/utils/storage';
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
  /** Browser notifications for friend posts and requests (the badge counts either way). */
  notifications: boolean;
}
export type Settings = SettingsV2;

export const settingsItem = storage.defineItem<SettingsV2>('local:settings', {
  version: 2,
  migrations: {
    2: (old: SettingsV1): SettingsV2 => ({ brokerUrl: old.brokerUrl, notifications: true }),
  },
  fallback: { brokerUrl: null, notifications: true },
});

/** Friend posts and requests not yet seen; the toolbar badge shows it. Kept by the background. */
export interface UnseenV1 {
  count: number;
  /** The newest post a notification pointed at, for the side panel to scroll to. */
  focusPostId: string | null;
}

export const unseenItem = storage.defineItem<UnseenV1>('local:unseen', {
  version: 1,
  migrations: {},
  fallback: { count: 0, focusPostId: null },
});

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
