/** One relay waiting for an offline handle, kept as the frame that will be sent (docs/signalling.md). */
interface Queued {
  dst: string;
  src: string;
  id: string;
  /** The serialized broker → client PW_RELAY frame: its bytes are what it costs. */
  frame: Buffer;
  queuedAt: number;
}

export interface RelayQueueLimits {
  /** Relays waiting for one handle. */
  perDestination: number;
  /** Relays one sender may have waiting for one handle. */
  perPair: number;
  /** Relays one sender may have waiting in all. */
  perSender: number;
  /** Relays waiting in all. */
  total: number;
  /** Bytes of frames held in all. */
  totalBytes: number;
  maxAgeMs: number;
}

export const DEFAULT_RELAY_QUEUE_LIMITS: RelayQueueLimits = {
  perDestination: 32,
  perPair: 4,
  perSender: 64,
  total: 50_000,
  totalBytes: 16 * 1024 * 1024,
  maxAgeMs: 7 * 24 * 60 * 60_000,
};

export interface RelayQueue {
  /**
   * Keeps `frame` for `dst`, pushing out older relays when a bound is reached: the sender's own when
   * it holds the most (its flood only ever pushes out its own), otherwise those of whoever holds the
   * most. A relay with the same `src` and `id` replaces the one waiting. False only when the frame
   * alone is over the byte bound.
   */
  add(dst: string, src: string, id: string, frame: string): boolean;
  /** Removes and returns the frames waiting for `dst`, oldest first, dropping expired ones. */
  take(dst: string): string[];
  prune(): void;
  readonly size: number;
  readonly bytes: number;
}

/** Removes `item` from `list` (lists here hold at most a few dozen items). */
function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

export function createRelayQueue(options: Partial<RelayQueueLimits> & { now?: () => number } = {}): RelayQueue {
  const limits = { ...DEFAULT_RELAY_QUEUE_LIMITS, ...options };
  const now = options.now ?? Date.now;
  const byDestination = new Map<string, Queued[]>();
  const bySender = new Map<string, Queued[]>();
  let size = 0;
  let bytes = 0;

  function drop(item: Queued): void {
    const forDst = byDestination.get(item.dst);
    const fromSrc = bySender.get(item.src);
    if (forDst) remove(forDst, item);
    if (fromSrc) remove(fromSrc, item);
    if (forDst?.length === 0) byDestination.delete(item.dst);
    if (fromSrc?.length === 0) bySender.delete(item.src);
    size -= 1;
    bytes -= item.frame.length;
  }

  /**
   * The sender to lose a relay to make room for one from `src`: whoever holds the most, and `src`
   * itself when none holds more (its flood only ever pushes out its own). Among others holding as
   * many, the one that started holding first, so relays leave in the order they came.
   */
  function mostHolding(groups: Iterable<[string, readonly Queued[]]>, src: string, srcCount: number): string {
    let most = src;
    let count = srcCount;
    for (const [sender, items] of groups) if (items.length > count) [most, count] = [sender, items.length];
    return most;
  }

  function groupBySender(items: readonly Queued[]): Map<string, Queued[]> {
    const groups = new Map<string, Queued[]>();
    for (const item of items) groups.set(item.src, [...(groups.get(item.src) ?? []), item]);
    return groups;
  }

  function pruneOld(): void {
    const cutoff = now() - limits.maxAgeMs;
    for (const items of [...byDestination.values()]) {
      for (const item of items.filter((queued) => queued.queuedAt <= cutoff)) drop(item);
    }
  }

  return {
    add(dst, src, id, text) {
      // Its own allocation, not a slice of Node's shared 8 KiB pool, which one kept slice would hold whole.
      const frame = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
      frame.write(text, 'utf8');
      if (frame.length > limits.totalBytes) return false;
      const same = byDestination.get(dst)?.find((item) => item.src === src && item.id === id);
      if (same) drop(same);
      const pair = (byDestination.get(dst) ?? []).filter((item) => item.src === src);
      if (pair.length >= limits.perPair && pair[0]) drop(pair[0]);
      const fromSrc = bySender.get(src) ?? [];
      if (fromSrc.length >= limits.perSender && fromSrc[0]) drop(fromSrc[0]);
      const forDst = byDestination.get(dst) ?? [];
      if (forDst.length >= limits.perDestination) {
        const groups = groupBySender(forDst);
        const victim = groups.get(mostHolding(groups, src, groups.get(src)?.length ?? 0))?.[0];
        if (victim) drop(victim);
      }
      while (size > 0 && (size >= limits.total || bytes + frame.length > limits.totalBytes)) {
        const victim = bySender.get(mostHolding(bySender, src, bySender.get(src)?.length ?? 0))?.[0];
        if (!victim) break;
        drop(victim);
      }
      const item: Queued = { dst, src, id, frame, queuedAt: now() };
      byDestination.set(dst, [...(byDestination.get(dst) ?? []), item]);
      bySender.set(src, [...(bySender.get(src) ?? []), item]);
      size += 1;
      bytes += frame.length;
      return true;
    },
    take(dst) {
      const cutoff = now() - limits.maxAgeMs;
      const items = [...(byDestination.get(dst) ?? [])];
      for (const item of items) drop(item);
      return items.filter((item) => item.queuedAt > cutoff).map((item) => item.frame.toString('utf8'));
    },
    prune: pruneOld,
    get size() {
      return size;
    },
    get bytes() {
      return bytes;
    },
  };
}
