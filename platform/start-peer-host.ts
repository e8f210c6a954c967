import { browser } from 'wxt/browser';
import { subtleSha256 } from '@/core/media';
import { createVerifier } from '@/core/verifier';
import { createMessageListener } from './message-router';
import { broadcast } from './message-client';
import { realTimers } from './timers';
import { createSocialHost } from './social/social-host';
import { pageFaultSwitch } from './social/fault-switch';
import { cryptoRandomBytes } from './social/identity-store';
import type { SocialNotice } from './social/social-views';
import { hostHandlers } from './host-handlers';
import { createPeerHost, type PeerHost, type SessionStore } from './peer-host/peer-host';
import { createPeerJsPeer } from './peer-host/peerjs-peer';

/**
 * Runs the peer host in this document (Chrome offscreen document, Firefox background
 * page): real PeerJS, the social layer on IndexedDB, and the `host:` message listener.
 */
export function startPeerHost(sessions: SessionStore, notify: (notice: SocialNotice) => void): PeerHost {
  const social = createSocialHost({
    now: Date.now,
    randomBytes: cryptoRandomBytes,
    // Native Ed25519 where the browser has it (Chrome ≥ 137, Firefox ≥ 129), the pure verifier elsewhere.
    verifier: createVerifier({ subtle: globalThis.crypto.subtle }),
    // Native SHA-256 for photo chunks: the pure-JS one took a sixth of a 16 MiB transfer (npm run bench:media).
    sha256: subtleSha256(globalThis.crypto.subtle),
    timers: realTimers,
    onChange: (change) => broadcast('ui:social-changed', change),
    notify,
    // Only a test build (`npm run build:faults`, mode "faults") has the switch; the product's drops it whole.
    ...(import.meta.env.MODE === 'faults' ? { faults: pageFaultSwitch() } : {}),
  });
  const host = createPeerHost({
    social,
    createPeer: createPeerJsPeer,
    fetch: (input, init) => globalThis.fetch(input, init),
    sessions,
    now: Date.now,
    random: Math.random,
    timers: realTimers,
    onStateChange: (state) => broadcast('ui:host-state', state),
  });
  const ready = host.start().catch((error: unknown) => console.error('[peerwall] The peer host failed to start', error));
  browser.runtime.onMessage.addListener(
    createMessageListener({
      receiver: 'host',
      handlers: hostHandlers(host, ready, social),
      extensionId: browser.runtime.id,
      extensionOrigin: browser.runtime.getURL('/'),
    }),
  );
  globalThis.addEventListener('online', () => host.networkChanged(true));
  return host;
}
