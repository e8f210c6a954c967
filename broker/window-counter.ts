/**
 * Counts events per key in a sliding window (e.g. new accounts per address per hour). Memory is
 * bounded: at most `limit` timestamps per key and `maxKeys` keys, the stalest key evicted first.
 */
export interface WindowCounter {
  /** Seconds until one more event is allowed for `key`; 0 when it is allowed now. */
  retryAfter(key: string): Awaitable<number>;
  /** Counts one event for `key` now; the returned function takes it back again (once). */
  record(key: string): Awaitable<() => void>;
  /**
   * Counts one event for `key` if one more is allowed, in one step (requests in parallel cannot all
   * pass): the function that takes it back, or the seconds to wait.
   */
  take(key: string): Awaitable<Taken>;
}

export type Taken = { ok: true; giveBack: () => void } | { ok: false; retryAfter: number };

/** In memory the answer is at hand; counted across nodes (Redis) it comes back later. */
export type Awaitable<T> = T | Promise<T>;

export interface WindowCounterOptions {
  limit: number;
  windowMs: number;
  now?: () => number;
  maxKeys?: number;
}

/** The in-memory counter answers at once. */
export interface LocalWindowCounter extends WindowCounter {
  retryAfter(key: string): number;
  record(key: string): () => void;
  take(key: string): Taken;
}

/** The in-memory counter: one process's view, the default. */
export function createWindowCounter(options: WindowCounterOptions): LocalWindowCounter {
  const { limit, windowMs, now = Date.now, maxKeys = 100_000 } = options;
  const events = new Map<string, number[]>();

  function current(key: string): number[] {
    const cutoff = now() - windowMs;
    const times = (events.get(key) ?? []).filter((time) => time > cutoff);
    if (times.length === 0) events.delete(key);
    return times;
  }

  function retryAfter(key: string): number {
    const times = current(key);
    if (times.length < limit) return 0;
    const oldest = times[times.length - limit] ?? now();
    return Math.max(1, Math.ceil((oldest + windowMs - now()) / 1000));
  }

  return {
    retryAfter,
    take(key) {
      const wait = retryAfter(key);
      return wait > 0 ? { ok: false, retryAfter: wait } : { ok: true, giveBack: this.record(key) };
    },
    record(key) {
      const time = now();
      const times = current(key);
      times.push(time);
      if (times.length > limit) times.splice(0, times.length - limit);
      events.delete(key);
      events.set(key, times);
      if (events.size > maxKeys) {
        const stalest = events.keys().next();
        if (!stalest.done) events.delete(stalest.value);
      }
      let counted = true;
      return () => {
        if (!counted) return;
        counted = false;
        const later = events.get(key); // a later record may have replaced the array
        const index = later?.lastIndexOf(time) ?? -1;
        if (later === undefined || index === -1) return;
        later.splice(index, 1);
        if (later.length === 0) events.delete(key);
      };
    },
  };
}
