import type { BufferedChannel } from '../ports';

/**
 * How many bytes may wait in a data channel's send buffer before a sender of photo chunks waits: four
 * 64 KiB chunks. Low enough that a large transfer holds little memory and a post or an `ack` queued behind
 * it waits little; high enough that the channel never runs dry between `bufferedamountlow` and the next send.
 */
export const DRAIN_THRESHOLD_BYTES = 256 * 1024;

export interface ChannelDrain {
  /** Resolves once the channel's buffer is at or under the threshold, or the channel or link is gone. */
  drained(): Promise<void>;
  /** The link closed: every wait ends now. */
  close(): void;
}

/**
 * Waits on a data channel's `bufferedamountlow` event (RTCDataChannel, WebRTC §6.2). A wait never
 * outlives the channel: it ends on the channel's `close` event or the link's `close()`, and a channel
 * that is not open never makes anyone wait (nothing sent to it is kept).
 */
export function createChannelDrain(channel: () => BufferedChannel | null, threshold = DRAIN_THRESHOLD_BYTES): ChannelDrain {
  const waiting = new Set<() => void>();
  let closed = false;
  return {
    drained() {
      const c = channel();
      if (closed || !c || c.readyState !== 'open' || c.bufferedAmount <= threshold) return Promise.resolve();
      c.bufferedAmountLowThreshold = threshold;
      return new Promise<void>((resolve) => {
        const done = () => {
          c.removeEventListener('bufferedamountlow', done);
          c.removeEventListener('close', done);
          waiting.delete(done);
          resolve();
        };
        c.addEventListener('bufferedamountlow', done);
        c.addEventListener('close', done);
        waiting.add(done);
      });
    },
    close() {
      closed = true;
      for (const done of [...waiting]) done();
    },
  };
}
