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
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'data', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  send(data: unknown): void;
  close(): void;
}

export interface PeerLike {
  readonly destroyed: boolean;
  readonly disconnected: boolean;
  on(event: 'open' | 'disconnected' | 'close', listener: () => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  on(event: 'connection', listener: (link: DataLink) => void): void;
  /** Broker messages PeerJS does not know (our `PW_*` types). */
  on(event: 'server-message', listener: (message: unknown) => void): void;
  connect(handle: string): DataLink;
  /** Sends a frame to the broker over the signalling socket. */
  sendToBroker(message: { type: string; payload?: unknown }): void;
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
