import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ensureOffscreenDocument } from '@/platform/background/offscreen-document';
import { startBackground } from '@/platform/background/start-background';
import { unseenItem } from '@/platform/storage-items';
import { flush } from './support/fake-time';

type Stubbed = Record<string, Record<string, unknown>>;

/** The fake browser has no offscreen, getContexts or contextMenus: stub them like Chrome behaves. */
function stubChrome(initialContexts = 0) {
  let contexts = initialContexts;
  const createDocument = vi.fn(async () => {
    await Promise.resolve();
    if (contexts > 0) throw new Error('Only a single offscreen document may be created.');
    contexts += 1;
  });
  const getContexts = vi.fn(async () => Array.from({ length: contexts }, () => ({ contextType: 'OFFSCREEN_DOCUMENT' })));
  const b = fakeBrowser as unknown as Stubbed;
  b.offscreen = { createDocument };
  b.runtime!.getContexts = getContexts;
  b.contextMenus = { removeAll: vi.fn(async () => undefined), create: vi.fn(), onClicked: { addListener: vi.fn() } };
  // Nor runtime.onConnect: pages' ports are handed to the listener by `connect`.
  const connectListeners: ((port: unknown) => void)[] = [];
  b.runtime!.onConnect = { addListener: (listener: (port: unknown) => void) => connectListeners.push(listener) };
  const connect = (port: FakePort) => connectListeners.forEach((listener) => listener(port));
  return { createDocument, getContexts, close: () => (contexts = 0), connect };
}

interface FakePort {
  name: string;
  sender: { id: string; url: string };
  onDisconnect: { addListener(listener: () => void): void };
  disconnect: ReturnType<typeof vi.fn>;
  /** The page closes (or hides its feed): the background's onDisconnect runs. */
  close(): void;
}

/** A port as a page of ours (or, with another `url`, a web page) opens it with `runtime.connect({ name })`. */
function fakePort(name: string, url = fakeBrowser.runtime.getURL('/popup.html')): FakePort {
  const listeners: (() => void)[] = [];
  return {
    name,
    sender: { id: fakeBrowser.runtime.id, url },
    onDisconnect: { addListener: (listener) => listeners.push(listener) },
    disconnect: vi.fn(),
    close: () => listeners.forEach((listener) => listener()),
  };
}

describe('offscreen document (Chrome peer host)', () => {
  beforeEach(() => fakeBrowser.reset());

  it('creates the document with the WEB_RTC reason when it is missing', async () => {
    const chrome = stubChrome();

    expect(await ensureOffscreenDocument()).toBe(true);
    expect(chrome.createDocument).toHaveBeenCalledWith(
      expect.objectContaining({ url: '/offscreen.html', reasons: ['WEB_RTC'], justification: expect.any(String) }),
    );
    expect(chrome.getContexts).toHaveBeenCalledWith({
      contextTypes: ['OFFSCREEN_DOCUMENT'],
      documentUrls: [fakeBrowser.runtime.getURL('/offscreen.html')],
    });
  });

  it('leaves an existing document alone', async () => {
    const chrome = stubChrome(1);

    expect(await ensureOffscreenDocument()).toBe(false);
    expect(chrome.createDocument).not.toHaveBeenCalled();
  });

  it('creates only one document when asked several times at once', async () => {
    const chrome = stubChrome();

    const results = await Promise.all([ensureOffscreenDocument(), ensureOffscreenDocument(), ensureOffscreenDocument()]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(chrome.createDocument).toHaveBeenCalledTimes(1);
  });
});

describe('background', () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    fakeBrowser.reset();
  });

  it('starts the peer host at once, on browser startup and on install, and greets new users', async () => {
    const chrome = stubChrome();
    startBackground();
    await flush();
    expect(chrome.createDocument).toHaveBeenCalledTimes(1);

    chrome.close();
    await fakeBrowser.runtime.onStartup.trigger();
    await flush();
    expect(chrome.createDocument).toHaveBeenCalledTimes(2);

    chrome.close();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install', temporary: false });
    await flush();
    expect(chrome.createDocument).toHaveBeenCalledTimes(3);
    const tabs = await fakeBrowser.tabs.query({});
    expect(tabs.map((tab) => tab.url)).toContain(fakeBrowser.runtime.getURL('/welcome.html'));
  });

  it('does not open the welcome page again on an update', async () => {
    stubChrome(1);
    startBackground();

    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'update', previousVersion: '0.0.9', temporary: false });
    await flush();

    const tabs = await fakeBrowser.tabs.query({});
    expect(tabs.map((tab) => tab.url)).not.toContain(fakeBrowser.runtime.getURL('/welcome.html'));
  });

  it('adds “Open side panel” to the toolbar button menu', async () => {
    stubChrome(1);
    startBackground();
    await flush();

    const menus = (fakeBrowser as unknown as Stubbed).contextMenus!;
    expect(menus.create).toHaveBeenCalledWith(expect.objectContaining({ title: 'Open side panel', contexts: ['action'] }));
  });

  describe('a host request while the offscreen document is missing', () => {
    const own = () => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') });
    const deliver = (message: unknown, sender: unknown, sendResponse: (r: unknown) => void) =>
      (fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>)(message, sender, sendResponse);

    it('creates the document and forwards the request to it', async () => {
      const chrome = stubChrome();
      startBackground();
      await flush();
      chrome.close();
      const answer = { ok: true, value: { handle: null, connection: 'offline' } };
      const forward = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(answer);
      const sendResponse = vi.fn();

      await deliver({ type: 'host:get-state' }, own(), sendResponse);
      await flush();

      expect(chrome.createDocument).toHaveBeenCalledTimes(2);
      expect(forward).toHaveBeenCalledWith({ type: 'host:get-state' });
      expect(sendResponse).toHaveBeenCalledWith(answer);
    });

    it('stays silent when the document is there to answer itself', async () => {
      stubChrome(1);
      startBackground();
      const forward = vi.spyOn(fakeBrowser.runtime, 'sendMessage');
      const sendResponse = vi.fn();

      await deliver({ type: 'host:get-state' }, own(), sendResponse);
      await flush();

      expect(forward).not.toHaveBeenCalled();
      expect(sendResponse).not.toHaveBeenCalled();
    });

    it('ignores requests from outside the extension', async () => {
      const chrome = stubChrome();
      startBackground();
      await flush();
      chrome.close();
      const sendResponse = vi.fn();

      await deliver({ type: 'host:get-state' }, { id: 'other', url: 'https://evil.example/' }, sendResponse);
      // Another extension that names one of our pages as its url is still another extension.
      await deliver({ type: 'host:get-state' }, { ...own(), id: 'other' }, sendResponse);
      await flush();

      expect(chrome.createDocument).toHaveBeenCalledTimes(1);
      expect(sendResponse).not.toHaveBeenCalled();
    });
  });

  it('counts friend posts sent by the peer host and answers how many are unseen until they are seen', async () => {
    stubChrome(1);
    const b = fakeBrowser as unknown as Stubbed;
    b.action = { setBadgeText: vi.fn(async () => undefined), setBadgeBackgroundColor: vi.fn(async () => undefined) };
    b.notifications = { ...b.notifications, create: vi.fn(async () => 'id') };
    startBackground();
    await flush();
    const own = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/offscreen.html') };
    const ask = (message: unknown) =>
      new Promise<unknown>((resolve) => {
        void (fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>)(message, own, resolve);
      });

    await ask({ type: 'bg:notify', payload: { kind: 'post', title: '@alice posted', message: 'hi', postId: null } });
    expect(await ask({ type: 'bg:unseen' })).toEqual({ ok: true, value: { count: 1, focusPostId: null, focusWall: null, lookedAt: {} } });
    await ask({ type: 'bg:mark-seen' });
    expect(await ask({ type: 'bg:unseen' })).toEqual({ ok: true, value: { count: 0, focusPostId: null, focusWall: null, lookedAt: {} } });
    expect(b.notifications.create).toHaveBeenCalledTimes(1);
  });

  describe('while a page shows the feed', () => {
    const notice = { kind: 'post', title: '@alice posted', message: 'hi', postId: null };

    async function started() {
      const chrome = stubChrome(1);
      const b = fakeBrowser as unknown as Stubbed;
      const setBadgeText = vi.fn(async () => undefined);
      b.action = { setBadgeText, setBadgeBackgroundColor: vi.fn(async () => undefined) };
      b.notifications = { ...b.notifications, create: vi.fn(async () => 'id') };
      startBackground();
      await flush();
      const own = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/offscreen.html') };
      const notify = () =>
        new Promise<unknown>((resolve) => {
          void (fakeBrowser.runtime.onMessage.trigger as (...args: unknown[]) => Promise<unknown>)({ type: 'bg:notify', payload: notice }, own, resolve);
        });
      return { chrome, setBadgeText, notify, create: b.notifications.create as ReturnType<typeof vi.fn> };
    }

    it('clears the count when a feed page connects and counts nothing while it stays connected', async () => {
      const { chrome, setBadgeText, notify, create } = await started();
      await notify();
      expect((await unseenItem.getValue()).count).toBe(1);

      const popup = fakePort('bg:feed-open/feed');
      chrome.connect(popup);
      await flush();
      await notify();
      await notify();

      expect((await unseenItem.getValue()).count).toBe(0);
      expect(setBadgeText).toHaveBeenLastCalledWith({ text: '' });
      expect(create).toHaveBeenCalledTimes(3); // notifications still follow their switches
    });

    it('counts again once the last feed page has gone, and remembers when that view was last looked at', async () => {
      const { chrome, setBadgeText, notify } = await started();
      vi.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
      const popup = fakePort('bg:feed-open/feed');
      const sidePanel = fakePort('bg:feed-open/wall:bob', fakeBrowser.runtime.getURL('/sidepanel.html'));
      chrome.connect(popup);
      chrome.connect(sidePanel);

      popup.close();
      await flush();
      await notify();
      expect((await unseenItem.getValue()).count).toBe(0);
      sidePanel.close();
      await flush();
      await notify();

      expect(await unseenItem.getValue()).toMatchObject({ count: 1, lookedAt: { feed: 1_800_000_000_000, 'wall:bob': 1_800_000_000_000 } });
      expect(setBadgeText).toHaveBeenLastCalledWith({ text: '1' });
    });

    it('refuses a feed port from a web page and ignores ports of other names', async () => {
      const { chrome, notify } = await started();
      const fromWeb = { ...fakePort('bg:feed-open/feed'), sender: { id: fakeBrowser.runtime.id, url: 'https://evil.example/' } };
      const other = fakePort('something-else');

      chrome.connect(fromWeb);
      chrome.connect(other);
      await notify();

      expect(fromWeb.disconnect).toHaveBeenCalled();
      expect(other.disconnect).not.toHaveBeenCalled();
      expect((await unseenItem.getValue()).count).toBe(1);
    });
  });
});
