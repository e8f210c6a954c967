/**
 * The slice of PeerJS the peer host uses, so tests can drive it with a fake and the
 * host never depends on PeerJS internals. `peerjs-peer.ts` adapts the real `Peer`.
 */
export interface PeerErrorInfo {
  /** PeerJS error type, e.g. `server-error`, `network`, `peer-unavailable`. */
  type: string;
  message: string;
}

export interface DataLink {
  readonly peer: string;
  /** The PeerJS label: `pw-sync` for sync connections (binary frames), absent for probes. */
  readonly label?: string;
  /**
   * DTLS certificate fingerprints of both ends as written in the SDP (`a=fingerprint:`),
   * available once the link is open; the sync handshake binds to them (docs/protocol.md §7.2).
   */
  fingerprints?(): { local: string; remote: string } | null;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'data', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  send(data: unknown): void;
  close(): void;
}

/** A `PW_*` frame to the broker; `dst` addresses `PW_RELAY`. */
export interface BrokerFrame {
  type: string;
  dst?: string;
  payload?: unknown;
}

/** The PeerJS label of sync connections. */
export const SYNC_LABEL = 'pw-sync';

export interface PeerLike {
  readonly destroyed: boolean;
  readonly disconnected: boolean;
  on(event: 'open' | 'disconnected' | 'close', listener: () => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  on(event: 'connection', listener: (link: DataLink) => void): void;
  /** Broker messages PeerJS does not know (our `PW_*` types). */
  on(event: 'server-message', listener: (message: unknown) => void): void;
  /** Opens a data connection; `sync` makes a binary `pw-sync` connection instead of a JSON probe. */
  connect(handle: string, options?: { sync?: boolean }): DataLink;
  /** Sends a frame to the broker over the signalling socket. */
  sendToBroker(message: BrokerFrame): void;
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
