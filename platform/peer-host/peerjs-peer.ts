import { Peer, type DataConnection } from 'peerjs';
import { PeerwallError } from '../errors';
import { SYNC_LABEL, type DataLink, type LinkStateChange, type PeerErrorInfo } from '../ports';
import type { PeerConfig, PeerLike } from './peer-port';
import { createSignalDedupe } from './signal-dedupe';

function errorInfo(error: unknown): PeerErrorInfo {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  return { type: typeof type === 'string' ? type : 'unknown', message: typeof message === 'string' ? message : '' };
}

/** The `a=fingerprint:` value of an SDP, e.g. `sha-256 AB:CD:…`. */
export function sdpFingerprint(sdp: string | undefined): string | null {
  const match = sdp ? /^a=fingerprint:(.+)$/m.exec(sdp) : null;
  return match ? match[1]!.trim() : null;
}

/**
 * Reports the RTCPeerConnection's signalling, ICE and overall (DTLS) states. PeerJS makes the
 * connection's RTCPeerConnection in the DataConnection's constructor, so it is there for both
 * the dialling and the answering side; PeerJS itself uses only the `on…` handler properties.
 */
function watchStates(connection: DataConnection, listener: (change: LinkStateChange) => void): void {
  const pc = connection.peerConnection as RTCPeerConnection | undefined;
  if (!pc) return;
  pc.addEventListener('signalingstatechange', () => listener({ layer: 'signaling', state: pc.signalingState }));
  pc.addEventListener('iceconnectionstatechange', () => listener({ layer: 'ice', state: pc.iceConnectionState }));
  pc.addEventListener('connectionstatechange', () => listener({ layer: 'connection', state: pc.connectionState }));
}

function adaptLink(connection: DataConnection): DataLink {
  return {
    peer: connection.peer,
    label: connection.label,
    fingerprints() {
      const pc = connection.peerConnection as RTCPeerConnection | undefined;
      const local = sdpFingerprint(pc?.localDescription?.sdp);
      const remote = sdpFingerprint(pc?.remoteDescription?.sdp);
      return local && remote ? { local, remote } : null;
    },
    on(event: string, listener: (arg?: never) => void) {
      if (event === 'error') connection.on('error', (e) => (listener as unknown as (e: PeerErrorInfo) => void)(errorInfo(e)));
      else if (event === 'state') watchStates(connection, listener as unknown as (change: LinkStateChange) => void);
      else connection.on(event as 'open', listener as () => void);
    },
    send: (data) => void connection.send(data),
    close: () => connection.close(),
    // Made in the constructor when dialling, on `datachannel` when answering: null until then.
    channel: () => (connection.dataChannel as RTCDataChannel | undefined) ?? null,
  } as DataLink;
}

/**
 * Makes a real PeerJS Peer against our broker. Only our own host, port, path and ICE
 * servers are used: never PeerJS's cloud server or its public STUN/TURN defaults.
 */
export function createPeerJsPeer(id: string, config: PeerConfig): PeerLike {
  const peer = new Peer(id, {
    host: config.host,
    port: config.port,
    secure: config.secure,
    path: config.path,
    key: config.key,
    token: config.token,
    config: { iceServers: config.iceServers },
    debug: 0,
  });
  // Repeated OFFERs and ANSWERs never reach PeerJS (its socket's handler would act on each).
  const repeated = createSignalDedupe();
  const emit = peer.socket.emit.bind(peer.socket) as (event: string, ...args: unknown[]) => boolean;
  (peer.socket as { emit: typeof emit }).emit = (event, ...args) => (event === 'message' && repeated(args[0]) ? false : emit(event, ...args));
  return {
    get destroyed() {
      return peer.destroyed;
    },
    get disconnected() {
      return peer.disconnected;
    },
    on(event: string, listener: (arg?: never) => void) {
      switch (event) {
        case 'error':
          peer.on('error', (e) => (listener as unknown as (e: PeerErrorInfo) => void)(errorInfo(e)));
          return;
        case 'connection':
          peer.on('connection', (c) => (listener as unknown as (l: DataLink) => void)(adaptLink(c)));
          return;
        case 'server-message':
          peer.socket.on('message', (m: unknown) => {
            const type = (m as { type?: unknown } | null)?.type;
            if (typeof type === 'string' && type.startsWith('PW_')) (listener as unknown as (m: unknown) => void)(m);
          });
          return;
        default:
          peer.on(event as 'open', listener as () => void);
      }
    },
    connect: (handle: string) => {
      // Sync frames are binary and up to 256 KiB, which WebRTC data channels carry as one message
      // (max-message-size 262144 in Chromium): `raw` sends each frame as it is. `binary` (BinaryPack)
      // cut a 64 KiB photo chunk into five packed pieces and put them back together on the main thread
      // (`npm run bench:media`); `json` refuses anything over 16 KB. The answering side takes the
      // serialization the offer names, so a peer dialling with `binary` is still answered (docs/protocol.md §7.1).
      const connectOptions = { serialization: 'raw', reliable: true, label: SYNC_LABEL };
      // PeerJS returns undefined (and emits an error) instead of throwing when disconnected.
      const connection = peer.connect(handle, connectOptions) as DataConnection | undefined;
      if (!connection) throw new PeerwallError('offline', 'You are offline. Wait until Peerwall shows Online, then try again.');
      return adaptLink(connection);
    },
    sendToBroker: (message) => peer.socket.send(message),
    reconnect: () => peer.reconnect(),
    destroy: () => peer.destroy(),
  } as PeerLike;
}
