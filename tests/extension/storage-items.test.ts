import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { SessionV1 } from '@/platform/session';
import { loadSession, saveSession, sessionItem, settingsItem, unseenItem, type SettingsV2, type UnseenV1, type UnseenV2 } from '@/platform/storage-items';

/** A `local:session` value exactly as version 1 stores it. Later versions migrate from this. */
const SESSION_V1_FIXTURE: SessionV1 = {
  handle: 'alice',
  token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln',
  expiresAt: 1_798_188_072_000,
  obtainedAt: 1_795_596_072_000,
  brokerUrl: 'https://broker.example.com',
  displaced: false,
};

/** `local:settings` exactly as version 2 stores it, with notifications turned off. */
const SETTINGS_V2_FIXTURE: SettingsV2 = { brokerUrl: 'https://broker.example.com', notifications: false };
/** `local:unseen` exactly as version 1 stores it. */
const UNSEEN_V1_FIXTURE: UnseenV1 = { count: 4, focusPostId: 'cd'.repeat(32) };
/** `local:unseen` exactly as version 2 stores it after notices (the newest notice's post, no click). */
const UNSEEN_V2_FIXTURE: UnseenV2 = { count: 3, focusPostId: 'ef'.repeat(32), focusWall: null };

const ALL_ON = { posts: true, wallPosts: true, comments: true, replies: true, likes: true, requests: true };
const ALL_OFF = { posts: false, wallPosts: false, comments: false, replies: false, likes: false, requests: false };

describe('storage items', () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('starts signed out with no remembered Broker URL', async () => {
    expect(await loadSession()).toBeNull();
    expect(await settingsItem.getValue()).toEqual({ brokerUrl: null, notify: ALL_ON });
  });

  it('saves the session and remembers its Broker URL for the next sign-in', async () => {
    await saveSession(SESSION_V1_FIXTURE);

    expect(await loadSession()).toEqual(SESSION_V1_FIXTURE);
    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notify: ALL_ON });
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

  it('migrates version 1 settings, keeping the Broker URL and turning every notification on', async () => {
    await fakeBrowser.storage.local.set({ settings: { brokerUrl: 'https://b.example' }, settings$: { v: 1 } });

    await settingsItem.migrate();

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://b.example', notify: ALL_ON });
    expect(await fakeBrowser.storage.local.get('settings$')).toEqual({ settings$: { v: 3 } });
  });

  it('migrates version 2 settings: notifications turned off become every kind off', async () => {
    await fakeBrowser.storage.local.set({ settings: SETTINGS_V2_FIXTURE, settings$: { v: 2 } });

    await settingsItem.migrate();

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notify: ALL_OFF });
  });

  it('migrates version 2 settings: notifications turned on become every kind on', async () => {
    await fakeBrowser.storage.local.set({ settings: { ...SETTINGS_V2_FIXTURE, notifications: true }, settings$: { v: 2 } });

    await settingsItem.migrate();

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notify: ALL_ON });
  });

  it('keeps the notification switches when a sign-in remembers the Broker URL', async () => {
    await settingsItem.setValue({ brokerUrl: null, notify: { ...ALL_ON, likes: false } });

    await saveSession(SESSION_V1_FIXTURE);

    expect(await settingsItem.getValue()).toEqual({ brokerUrl: 'https://broker.example.com', notify: { ...ALL_ON, likes: false } });
  });

  it('migrates the version 1 unseen count through version 2: the newest notice’s post is no click to open', async () => {
    await fakeBrowser.storage.local.set({ unseen: UNSEEN_V1_FIXTURE, unseen$: { v: 1 } });

    await unseenItem.migrate();

    expect(await unseenItem.getValue()).toEqual({ count: 4, focusPostId: null, focusWall: null, lookedAt: {} });
    expect(await fakeBrowser.storage.local.get('unseen$')).toEqual({ unseen$: { v: 3 } });
  });

  it('migrates version 2 unseen state: keeps the count, forgets a notice’s post, and has looked at no feed yet', async () => {
    await fakeBrowser.storage.local.set({ unseen: UNSEEN_V2_FIXTURE, unseen$: { v: 2 } });

    await unseenItem.migrate();

    expect(await unseenItem.getValue()).toEqual({ count: 3, focusPostId: null, focusWall: null, lookedAt: {} });
    expect(await fakeBrowser.storage.local.get('unseen$')).toEqual({ unseen$: { v: 3 } });
  });

  it('migrates version 2 unseen state with a clicked notification not yet opened, keeping it to open', async () => {
    await fakeBrowser.storage.local.set({ unseen: { ...UNSEEN_V2_FIXTURE, focusWall: 'bob' }, unseen$: { v: 2 } });

    await unseenItem.migrate();

    expect(await unseenItem.getValue()).toEqual({ count: 3, focusPostId: 'ef'.repeat(32), focusWall: 'bob', lookedAt: {} });
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
