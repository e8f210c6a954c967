import { createBrokerClient, type FetchFn } from '../broker-client';
import { PeerwallError } from '../errors';
import type { PeerAccess } from '../ports';
import type { Session } from '../session';
import type { PeerLike } from './peer-port';

export interface PeerAccessDeps {
  fetch: FetchFn;
  /** The peer, while the broker socket is open. */
  onlinePeer(): PeerLike | null;
  session(): Session | null;
  sendAllowlist(): void;
}

/** What the social layer may ask of the peer host (ports.ts), on the current peer and session. */
export function createPeerAccess(deps: PeerAccessDeps): PeerAccess {
  return {
    isOnline: () => deps.onlinePeer() !== null,
    sendToBroker: (frame) => deps.onlinePeer()?.sendToBroker(frame),
    connect(handle) {
      const peer = deps.onlinePeer();
      if (!peer) throw new PeerwallError('offline', 'You are offline.');
      return peer.connect(handle);
    },
    allowlistChanged: () => {
      if (deps.onlinePeer()) deps.sendAllowlist();
    },
    async lookupHandle(handle) {
      const session = deps.session();
      if (!session) throw new PeerwallError('signed_out', 'Sign in first.');
      await createBrokerClient(session.brokerUrl, deps.fetch).lookupHandle(session.token, handle);
    },
  };
}
