import type { ClientFrame } from '@/core/signalling';
import type { PeerConfig, PeerLike } from '@/platform/peer-host/peer-port';
import type { DataLink, PeerErrorInfo } from '@/platform/ports';

// `never` so any typed listener fits; emit passes the test's argument through unchecked.
type Listener = (arg: never) => void;

class Emitter {
  private listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, arg?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (arg: unknown) => void)(arg);
  }
}

/** One end of an in-memory data connection; `partner` is the other end. */
export class FakeLink extends Emitter implements DataLink {
  partner: FakeLink | null = null;
  sent: unknown[] = [];
  closed = false;
  constructor(readonly peer: string) {
    super();
  }
  override on(event: string, listener: Listener): void {
    super.on(event, listener);
  }
  send(data: unknown): void {
    this.sent.push(data);
    const partner = this.partner;
    if (partner) queueMicrotask(() => partner.emit('data', structuredClone(data)));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    // After what was sent before the close, as a data channel delivers it.
    const partner = this.partner;
    if (partner) queueMicrotask(() => partner.close());
  }
}

/** Scriptable stand-in for a PeerJS Peer: the test fires its events. */
export class FakePeer extends Emitter implements PeerLike {
  destroyed = false;
  disconnected = false;
  reconnects = 0;
  toBroker: ClientFrame[] = [];
  links: FakeLink[] = [];
  constructor(
    readonly id: string,
    readonly config: PeerConfig,
  ) {
    super();
  }
  override on(event: string, listener: Listener): void {
    super.on(event, listener);
  }
  open(): void {
    this.disconnected = false;
    this.emit('open');
  }
  fail(error: PeerErrorInfo): void {
    this.emit('error', error);
  }
  /** The broker socket dropped (PeerJS: a `network` error, then `disconnected`). */
  lose(): void {
    this.emit('error', { type: 'network', message: 'Lost connection to server.' });
    this.disconnected = true;
    this.emit('disconnected');
  }
  connect(handle: string): FakeLink {
    const link = new FakeLink(handle);
    this.links.push(link);
    return link;
  }
  sendToBroker(message: ClientFrame): void {
    this.toBroker.push(message);
  }
  reconnect(): void {
    this.reconnects += 1;
  }
  destroy(): void {
    this.destroyed = true;
    this.disconnected = true;
  }
}

/** A Peer factory that records every Peer it makes. */
export function createPeerFactory(): { peers: FakePeer[]; create: (id: string, config: PeerConfig) => FakePeer; last(): FakePeer } {
  const peers: FakePeer[] = [];
  return {
    peers,
    create: (id, config) => {
      const peer = new FakePeer(id, config);
      peers.push(peer);
      return peer;
    },
    last: () => {
      const peer = peers.at(-1);
      if (!peer) throw new Error('No peer was created');
      return peer;
    },
  };
}
