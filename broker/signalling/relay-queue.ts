/** Relays waiting in memory for an offline handle (docs/signalling.md: 32 each, 7 days). */
export interface QueuedRelay {
  src: string;
  id: string;
  body: unknown;
  queuedAt: number;
}

export interface RelayQueue {
  /** False when the destination's queue or the whole queue is full. */
  add(dst: string, relay: QueuedRelay): boolean;
  /** Removes and returns what waits for `dst`, oldest first, dropping expired relays. */
  take(dst: string): QueuedRelay[];
  prune(): void;
  readonly size: number;
}

export function createRelayQueue(options: {
  perDestination?: number;
  total?: number;
  maxAgeMs?: number;
  now?: () => number;
}): RelayQueue {
  const { perDestination = 32, total = 50_000, maxAgeMs = 7 * 24 * 60 * 60_000, now = Date.now } = options;
  const queues = new Map<string, QueuedRelay[]>();
  let size = 0;
  const fresh = (relay: QueuedRelay) => now() - relay.queuedAt < maxAgeMs;

  function prune(dst: string, relays: QueuedRelay[]): QueuedRelay[] {
    const kept = relays.filter(fresh);
    size -= relays.length - kept.length;
    if (kept.length === 0) queues.delete(dst);
    else queues.set(dst, kept);
    return kept;
  }

  return {
    add(dst, relay) {
      const relays = prune(dst, queues.get(dst) ?? []);
      if (relays.length >= perDestination || size >= total) return false;
      relays.push(relay);
      queues.set(dst, relays);
      size += 1;
      return true;
    },
    take(dst) {
      const relays = prune(dst, queues.get(dst) ?? []);
      queues.delete(dst);
      size -= relays.length;
      return relays;
    },
    prune() {
      for (const [dst, relays] of queues) prune(dst, relays);
    },
    get size() {
      return size;
    },
  };
}
