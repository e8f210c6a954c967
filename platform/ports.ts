/**
 * The interfaces between the peer host (`peer-host/`: the PeerJS peer and the broker session)
 * and the social layer (`social/`: friends, walls, sync). Each side imports only this file of
 * the other, so neither depends on how the other is built.
 */
import type { ClientFrame, ServerFrame } from '@/core/signalling';

/** A PeerJS error as the peer host sees it (`type` as PeerJS names it, e.g. `network`). */
export interface PeerErrorInfo {
  type: string;
  message: string;
}

/** The PeerJS label of sync connections (binary frames). */
export const SYNC_LABEL = 'pw-sync';

/** A WebRTC state change of a link's RTCPeerConnection: signalling, ICE, or the whole connection (DTLS). */
export interface LinkStateChange {
  layer: 'signaling' | 'ice' | 'connection';
  state: string;
}

/**
 * The part of a link's RTCDataChannel a sender of many large frames waits on (PeerJS exposes the
 * channel as `DataConnection.dataChannel`).
 */
export interface BufferedChannel {
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: string;
  addEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
}

/** One data connection to a friend. */
export interface DataLink {
  readonly peer: string;
  /** The PeerJS label: `pw-sync` for sync connections. */
  readonly label?: string;
  /**
   * DTLS certificate fingerprints of both ends as written in the SDP (`a=fingerprint:`),
   * available once the link is open; the sync handshake binds to them (docs/protocol.md §7.2).
   */
  fingerprints?(): { local: string; remote: string } | null;
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'data', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: PeerErrorInfo) => void): void;
  /** WebRTC states, for the connection log and for saying what failed. */
  on(event: 'state', listener: (change: LinkStateChange) => void): void;
  send(data: unknown): void;
  close(): void;
  /** The underlying data channel once there is one; absent for links without an outgoing buffer. */
  channel?(): BufferedChannel | null;
}

/** What the social layer may ask of the peer host. */
export interface PeerAccess {
  isOnline(): boolean;
  sendToBroker(frame: ClientFrame): void;
  /** Opens a sync data connection; throws when offline. */
  connect(handle: string): DataLink;
  /** Friends or blocks changed: send a fresh `PW_ALLOW`. */
  allowlistChanged(): void;
  /** `GET /api/handles/:handle`; rejects with the broker's sentence for unknown or retired handles. */
  lookupHandle(handle: string): Promise<void>;
}

/**
 * How a session began: a new account (`sign-up`), a sign-in to an existing one (`sign-in`), or the stored
 * session at start (`resumed`). Only a sign-in on a browser with no key for the handle offers Recover from friends.
 */
export type SessionStart = 'sign-up' | 'sign-in' | 'resumed';

/** What the peer host tells the social layer as the session and the peer change. */
export interface SocialHooks {
  /** A session for `handle` begins (sign-in, or a stored session at start). */
  begin(handle: string, access: PeerAccess, start?: SessionStart): Promise<void>;
  end(): void;
  /** Handles that may signal to us and handles whose relays the broker drops. */
  allowlist(): { handles: string[]; blocked: string[] };
  /** The broker socket opened. */
  online(): void;
  /** The broker socket is gone. */
  offline(): void;
  /** The device's network came back (`online` event): paths to friends may work again. */
  networkChanged(): void;
  serverFrame(frame: ServerFrame): void;
  /** An incoming sync connection. */
  incoming(link: DataLink): void;
  /** Before account deletion: a goodbye entry to friends. */
  farewell(): Promise<void>;
  /**
   * After account deletion, once the session ended: erases what the social layer stored for `handle`
   * in this browser (its content database: walls, media, outboxes, identity; staged photos).
   */
  erase(handle: string): Promise<void>;
}
