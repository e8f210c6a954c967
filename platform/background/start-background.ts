import { browser } from 'wxt/browser';
import { createMessageListener, isOwnExtension, type SenderLike } from '../message-router';
import { startPeerHost } from '../start-peer-host';
import type { SocialNotice } from '../social/social-views';
import { eraseStoredFor, loadSession, saveSession, unseenItem } from '../storage-items';
import { watchFeedPorts, type FeedPortLike } from './feed-ports';
import { handleNotificationClicks, markSeen, recordLooked, showBadge, showNotice } from './notifier';
import { ensureOffscreenDocument } from './offscreen-document';
import { registerSidePanelMenu } from './side-panel';

/** After an account is deleted with its data: nothing of it stays in storage, and the badge clears. */
async function eraseStored(handle: string): Promise<void> {
  await eraseStoredFor(handle);
  await showBadge(0);
}

const storageSessions = { load: loadSession, save: saveSession, erase: eraseStored };

/**
 * Chrome: if a `host:` request arrives while the offscreen document is missing (it was
 * closed, or the browser is starting), create it and forward the request. When the
 * document exists it answers itself and this listener stays silent.
 */
function forwardHostRequests(message: unknown, sender: SenderLike, sendResponse: (r: unknown) => void): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !type.startsWith('host:')) return false;
  if (!isOwnExtension(sender, browser.runtime.id, browser.runtime.getURL('/'))) return false;
  void ensureOffscreenDocument().then(
    async (created) => {
      if (created) sendResponse(await browser.runtime.sendMessage(message));
    },
    (error: unknown) => {
      console.error('[peerwall] Could not start the peer host', error);
      sendResponse({ ok: false, error: { code: 'host_unavailable', message: 'Peerwall could not start its peer. Restart the browser and try again.' } });
    },
  );
  return true;
}

export function startBackground(): void {
  const firefox = import.meta.env.FIREFOX;
  const feeds = watchFeedPorts({
    isOwn: (sender) => isOwnExtension(sender, browser.runtime.id, browser.runtime.getURL('/')),
    seen: () => void markSeen(),
    looked: (view, at) => void recordLooked(view, at),
    now: () => Date.now(),
  });
  browser.runtime.onConnect.addListener((port) => feeds.onConnect(port as FeedPortLike));
  const notify = (notice: SocialNotice) => showNotice(notice, { feedOpen: feeds.isOpen() });
  // Firefox: the persistent background page hosts the peer; Chrome: the offscreen document.
  if (firefox) startPeerHost(storageSessions, (notice) => void notify(notice));
  browser.runtime.onMessage.addListener(
    createMessageListener({
      receiver: 'bg',
      handlers: {
        'bg:ensure-host': async () => ({ created: firefox ? false : await ensureOffscreenDocument() }),
        'bg:session-get': () => loadSession(),
        'bg:session-set': async ({ session }) => (await saveSession(session), null),
        'bg:notify': async (notice) => (await notify(notice), null),
        'bg:mark-seen': async () => (await markSeen(), null),
        'bg:erase-stored': async ({ handle }) => (await eraseStored(handle), null),
        'bg:unseen': () => unseenItem.getValue(),
      },
      extensionId: browser.runtime.id,
      extensionOrigin: browser.runtime.getURL('/'),
    }),
  );
  if (!firefox) {
    browser.runtime.onMessage.addListener(forwardHostRequests);
    browser.runtime.onStartup.addListener(() => void ensureOffscreenDocument());
    void ensureOffscreenDocument().catch((error: unknown) => console.error('[peerwall] offscreen document', error));
  }
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (!firefox) void ensureOffscreenDocument().catch(() => undefined);
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html') });
  });
  registerSidePanelMenu();
  handleNotificationClicks();
  void unseenItem.getValue().then((unseen) => showBadge(unseen.count)).catch(() => undefined);
}
