import type { Transport } from '@/core/transport';
import { LIMITS } from '@/core/limits';
import type { DataLink } from '../ports';
import { createChannelDrain } from './channel-drain';

export interface LinkLimits {
  /** Frames accepted per minute from one peer. */
  framesPerMinute: number;
  /** Bytes accepted per hour from one peer. */
  bytesPerHour: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = { framesPerMinute: 600, bytesPerHour: 64 * 1024 * 1024 };

/**
 * Photo chunks this side asked for and has not received pass the limits uncounted, as many as two fetch
 * windows (of version 5's 64): a peer that answers `missing` instead leaves little credit. Without this, a friend sending one
 * 16 MiB photo (256 chunks) at full speed was paused for sending too many messages (`npm run bench:media`).
 */
const MAX_SOLICITED_FRAMES = 2 * LIMITS.wideMediaChunksInFlight;
/** A `chunk` frame: 64 KiB of data and a small header. */
const SOLICITED_FRAME_BYTES = LIMITS.mediaChunkBytes + 256;

/** What one peer may still send: shared by all its connections, so reconnecting does not reset it. */
export interface PeerBudget {
  /** Counts one frame of `bytes`; returns why the peer is over its limits, or null. */
  spend(bytes: number): string | null;
}

export function createPeerBudget(peer: string, now: () => number, limits = DEFAULT_LINK_LIMITS): PeerBudget {
  let minute = { start: now(), frames: 0 };
  let hour = { start: now(), bytes: 0 };
  return {
    spend(bytes) {
      const t = now();
      if (t - minute.start >= 60_000) minute = { start: t, frames: 0 };
      if (t - hour.start >= 3_600_000) hour = { start: t, bytes: 0 };
      minute.frames += 1;
      hour.bytes += bytes;
      if (minute.frames > limits.framesPerMinute) return `@${peer} sent too many messages.`;
      if (hour.bytes > limits.bytesPerHour) return `@${peer} sent too much data this hour.`;
      return null;
    },
  };
}

export interface LinkTransport extends Transport {
  solicit(frames: number): void;
  /** Why the link was cut by this side's limits, or null. */
  readonly violation: string | null;
}

/** PeerJS delivers ArrayBuffers (`raw` and `binary` serialization alike); in-memory links deliver Uint8Arrays. */
function asBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/**
 * Adapts a sync data connection to the core's `Transport`: binary frames only, each bounded
 * by the protocol's frame limit, and per-peer limits on frame rate and bytes per hour. A peer
 * that exceeds them is cut off (the session reports it closed); nothing it sent past the
 * limit reaches the core. `drained()` lets a sender of photo chunks wait for the data channel's
 * buffer to empty (backpressure) instead of queueing a whole file in memory.
 */
export function createLinkTransport(
  link: DataLink,
  now: () => number,
  limits = DEFAULT_LINK_LIMITS,
  budget: PeerBudget = createPeerBudget(link.peer, now, limits),
): LinkTransport {
  let frameHandler: ((frame: Uint8Array) => void) | null = null;
  /** Frames that arrived before the session registered (it is made when the link opens). */
  const early: Uint8Array[] = [];
  const closeHandlers: (() => void)[] = [];
  let closed = false;
  let violation: string | null = null;
  const drain = createChannelDrain(() => link.channel?.() ?? null);

  const close = (): void => {
    if (closed) return;
    closed = true;
    drain.close();
    link.close();
    for (const handler of closeHandlers) handler();
  };

  let solicited = 0;

  function withinLimits(frame: Uint8Array): boolean {
    if (solicited > 0 && frame.length <= SOLICITED_FRAME_BYTES) {
      solicited--;
      return true;
    }
    violation = budget.spend(frame.length);
    return violation === null;
  }

  link.on('data', (data) => {
    if (closed) return;
    const frame = asBytes(data);
    // Anything that is not a frame (e.g. a JSON probe on the wrong channel) becomes an empty
    // frame, which the session rejects as `bad_message`.
    const checked = frame ?? new Uint8Array(0);
    if (checked.length > LIMITS.frameBytes + 1024 || !withinLimits(checked)) {
      violation ??= `@${link.peer} sent a message larger than the protocol allows.`;
      close();
      return;
    }
    if (frameHandler) frameHandler(checked);
    else if (early.length < 64) early.push(checked);
  });
  link.on('close', close);
  link.on('error', close);

  return {
    send(frame) {
      if (!closed) link.send(frame);
    },
    onFrame(handler) {
      frameHandler = handler;
      for (const frame of early.splice(0)) handler(frame);
    },
    onClose(handler) {
      closeHandlers.push(handler);
    },
    close,
    drained: () => drain.drained(),
    solicit(frames) {
      solicited = Math.min(MAX_SOLICITED_FRAMES, solicited + Math.max(0, frames));
    },
    get violation() {
      return violation;
    },
  };
}
