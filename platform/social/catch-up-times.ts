import type { SyncEvent } from '@/core/syncSession';

/** What bringing one wall up to date over one connection took, summed over its batches. */
export interface CatchUpFigures {
  wall: string;
  batches: number;
  entries: number;
  /** Frame bytes received. */
  bytes: number;
  /** From each `want` to its batch being handled: the friend reading and sending, the network, the queue. */
  waitMs: number;
  /** Decoding and checking the batches (signatures, rules). */
  checkMs: number;
  /** Writing them to storage. */
  storeMs: number;
}

type BatchStored = Extract<SyncEvent, { type: 'batchStored' }>;

/**
 * Sums the core's per-batch figures of one connection per wall until the wall is first up to date —
 * the catch-up on connecting —, so "Connection details" can say where it spent its time. Live updates
 * after that are not summed. Bounded by the walls a friend may send.
 */
export function createCatchUpTimes() {
  const walls = new Map<string, CatchUpFigures>();
  const caughtUp = new Set<string>();
  return {
    add(event: BatchStored): void {
      if (caughtUp.has(event.wall)) return;
      const sum = walls.get(event.wall) ?? { wall: event.wall, batches: 0, entries: 0, bytes: 0, waitMs: 0, checkMs: 0, storeMs: 0 };
      sum.batches += 1;
      sum.entries += event.entries;
      sum.bytes += event.bytes;
      sum.waitMs += event.waitMs;
      sum.checkMs += event.checkMs;
      sum.storeMs += event.storeMs;
      walls.set(event.wall, sum);
    },
    /** `wall` is up to date: the figures of its catch-up, the first time and if anything came; else null. */
    finish(wall: string): CatchUpFigures | null {
      if (caughtUp.has(wall)) return null;
      caughtUp.add(wall);
      const sum = walls.get(wall) ?? null;
      walls.delete(wall);
      return sum;
    },
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** e.g. "Brought @alice’s wall up to date: 10000 entries, 4.9 MB in 157 batches; waiting 1.20 s, checking 0.90 s, storing 0.40 s." */
export function catchUpSentence(f: CatchUpFigures): string {
  const size = f.bytes >= 1e6 ? `${(f.bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(f.bytes / 1e3)} kB`;
  const batches = f.batches === 1 ? '1 batch' : `${f.batches} batches`;
  const entries = f.entries === 1 ? '1 entry' : `${f.entries} entries`;
  return `Brought @${f.wall}’s wall up to date: ${entries}, ${size} in ${batches}; waiting ${seconds(f.waitMs)}, checking ${seconds(f.checkMs)}, storing ${seconds(f.storeMs)}.`;
}
