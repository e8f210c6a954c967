/**
 * A message pipe between two peers (a PeerJS data channel in the extension). Frames are whole
 * protocol messages; the transport preserves their order.
 */
export interface Transport {
  send(frame: Uint8Array): void;
  /** Registers the receiver of incoming frames (one at a time). */
  onFrame(handler: (frame: Uint8Array) => void): void;
  onClose(handler: () => void): void;
  close(): void;
  /**
   * Resolves once the outgoing buffer is low enough to send more (a data channel's `bufferedAmount`
   * under its `bufferedAmountLowThreshold`). A sender of many large frames (photo chunks, §7.6) waits
   * on it before each; a transport without a buffer of its own leaves it out.
   */
  drained?(): Promise<void>;
  /**
   * This side just asked the peer for `frames` photo chunks (§7.6): a transport that limits what a peer may
   * send counts them as asked for, not against the peer. A transport without limits leaves it out.
   */
  solicit?(frames: number): void;
}

/** Sees every frame in flight between two in-memory transports; it may change, drop or add frames. */
export type FrameTap = (frame: Uint8Array, from: 'a' | 'b') => Uint8Array[];

/** Two connected in-memory transports. Delivery is synchronous and in order, like a reliable channel. */
export function createMemoryTransportPair(tap?: FrameTap): [Transport, Transport] {
  const make = () => ({
    frameHandler: null as ((f: Uint8Array) => void) | null,
    closeHandlers: [] as (() => void)[],
    open: true,
  });
  const ends = { a: make(), b: make() };
  const closeBoth = () => {
    for (const end of [ends.a, ends.b]) {
      if (!end.open) continue;
      end.open = false;
      for (const h of end.closeHandlers) h();
    }
  };
  const transport = (self: 'a' | 'b'): Transport => {
    const other = self === 'a' ? ends.b : ends.a;
    return {
      send(frame) {
        if (!ends[self].open) return;
        for (const out of tap ? tap(frame.slice(), self) : [frame.slice()]) {
          if (other.open) other.frameHandler?.(out);
        }
      },
      onFrame(handler) {
        ends[self].frameHandler = handler;
      },
      onClose(handler) {
        ends[self].closeHandlers.push(handler);
      },
      close: closeBoth,
    };
  };
  return [transport('a'), transport('b')];
}
