/**
 * The slice of PeerJS the peer host uses, so tests can drive it with a fake and the
 * host never depends on PeerJS internals. `peerjs-peer.ts` adapts the real `Peer`.
 */
import type { ClientFrame } from '@/core/signalling';
import type { DataLink, PeerErrorInfo } from '../ports';

export interface PeerLike {
  readonly destroyed: boolean;
  readonly disconnected: boolean;
  on(event: 'open' | 'disconnected' | 'close', listener: () => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  on(event: 'connection', listener: (link: DataLink) => void): void;
  /** Broker frames PeerJS does not know (our `PW_*` types), unparsed. */
  on(event: 'server-message', listener: (message: unknown) => void): void;
  /** Opens a binary `pw-sync` data connection. */
  connect(handle: string): DataLink;
  /** Sends a frame to the broker over the signalling socket. */
  sendToBroker(frame: ClientFrame): void;
  reconnect(): void;
  destroy(): void;
}

export interface PeerConfig {
  host: string;
  port: number;
  secure: boolean;
  path: string;
  key: 'peerjs';
  token: string;
  iceServers: RTCIceServer[];
}

export type PeerFactory = (id: string, config: PeerConfig) => PeerLike;
