import { browser } from 'wxt/browser';
import { createIdbContactStore } from '../contact-store';
import { createMessageListener } from '../message-router';
import { broadcast } from '../message-client';
import { hostHandlers } from './host-handlers';
import { createPeerHost, type PeerHost, type SessionStore } from './peer-host';
import { createPeerJsPeer } from './peerjs-peer';
import { realTimers } from './timers';

/**
 * Runs the peer host in this document (Chrome offscreen document, Firefox background
 * page): real PeerJS, IndexedDB contacts, and the `host:` message listener.
 */
export function startPeerHost(sessions: SessionStore): PeerHost {
  const host = createPeerHost({
    createPeer: createPeerJsPeer,
    fetch: (input, init) => globalThis.fetch(input, init),
    sessions,
    contacts: createIdbContactStore(),
    now: Date.now,
    random: Math.random,
    timers: realTimers,
    onStateChange: (state) => broadcast('ui:host-state', state),
  });
  const ready = host.start().catch((error: unknown) => console.error('[peerwall] The peer host failed to start', error));
  browser.runtime.onMessage.addListener(
    createMessageListener({
      receiver: 'host',
      handlers: hostHandlers(host, ready),
      extensionId: browser.runtime.id,
      extensionOrigin: browser.runtime.getURL('/'),
    }),
  );
  globalThis.addEventListener('online', () => host.networkChanged(true));
  return host;
}
