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
export type Settings = SettingsV1;

export const settingsItem = storage.defineItem<SettingsV1>('local:settings', {
  version: 1,
  migrations: {},
  fallback: { brokerUrl: null },
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
    await settingsItem.setValue({ brokerUrl: session.brokerUrl });
  } else {
    await sessionItem.removeValue();
  }
}
