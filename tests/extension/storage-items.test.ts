import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { SessionV1 } from '@/platform/session';
import { loadSession, saveSession, sessionItem, settingsItem } from '@/platform/storage-items';

/** A `local:session` value exactly as version 1 stores it. Later versions migrate from this. */
const SESSION_V1_FIXTURE: SessionV1 = {
  handle: 'alice',
  token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln',
  expiresAt: 1_798_188_072_000,
  obtainedAt: 1_795_596_072_000,
  brokerUrl: 'https://broker.example.com',
  displaced: false,
};

describe('storage items', () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('starts signed out with no remembered Broker URL', async () => {
    expect(await loadSession()).toBeNull();
    expect(await settingsItem.getValue()).toEqual({ brokerUrl: null, notifications: true });
  });

  it('saves the session and remembers its Broker URL for the next sign-in', async () => {
    await saveSession(SESSION_V1_FIXTURE);

    expect(await loadSession()).toEqual(SESSION_V1_FIXTURE);
    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notifications: true });
  });

  it('removes the session on sign-out but keeps the Broker URL', async () => {
    await saveSession(SESSION_V1_FIXTURE);
    await saveSession(null);

    expect(await loadSession()).toBeNull();
    expect(await fakeBrowser.storage.local.get('session')).toEqual({});
    expect((await settingsItem.getValue()).brokerUrl).toBe('https://broker.example.com');
  });

  it('reads a version 1 value written by an earlier run unchanged', async () => {
    await fakeBrowser.storage.local.set({ session: SESSION_V1_FIXTURE, session$: { v: 1 } });

    await sessionItem.migrate();

    expect(await loadSession()).toEqual(SESSION_V1_FIXTURE);
    expect(await fakeBrowser.storage.local.get('session$')).toEqual({ session$: { v: 1 } });
  });

  it('migrates version 1 settings, keeping the Broker URL and turning notifications on', async () => {
    await fakeBrowser.storage.local.set({ settings: { brokerUrl: 'https://b.example' }, settings$: { v: 1 } });

    await settingsItem.migrate();

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://b.example', notifications: true });
  });

  it('keeps the notification setting when a sign-in remembers the Broker URL', async () => {
    await settingsItem.setValue({ brokerUrl: null, notifications: false });

    await saveSession(SESSION_V1_FIXTURE);

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notifications: false });
  });

  it('treats a damaged session as signed out and says so in the console', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await fakeBrowser.storage.local.set({ session: { ...SESSION_V1_FIXTURE, handle: 'Not A Handle' } });

    expect(await loadSession()).toBeNull();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('damaged'));
  });

  it('fails loudly on a value written by a newer version instead of guessing', async () => {
    await fakeBrowser.storage.local.set({ session: SESSION_V1_FIXTURE, session$: { v: 2 } });

    await expect(sessionItem.migrate()).rejects.toThrow(/downgrade/i);
  });

  it('lets pages follow the session as the peer host changes it', async () => {
    const seen: (string | null)[] = [];
    const unwatch = sessionItem.watch((value) => seen.push(value?.handle ?? null));

    await saveSession(SESSION_V1_FIXTURE);
    await saveSession(null);
    unwatch();

    expect(seen).toEqual(['alice', null]);
  });
});
