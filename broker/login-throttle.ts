import type { Awaitable } from './window-counter';

/**
 * Slows down password guessing. Failures are counted per (handle, address) and per address, never
 * per handle alone, so nobody can lock a chosen user out from elsewhere. After a few free
 * failures each further one doubles the wait. A success clears the (handle, address) count.
 * Only one attempt per (handle, address) runs at a time: otherwise a burst of parallel guesses
 * would all pass the check before the first failure is counted.
 */
export interface LoginThrottle {
  /** Seconds the caller must wait before trying again; 0 when an attempt is allowed now. */
  retryAfter(handle: string, address: string): Awaitable<number>;
  /**
   * Marks an attempt as running (retryAfter is then at least 1 for the pair); call the result when it has
   * settled. Undefined when one is running already: the check and the mark are one step, across nodes too.
   */
  begin(handle: string, address: string): Awaitable<(() => void) | undefined>;
  fail(handle: string, address: string): Awaitable<void>;
  succeed(handle: string, address: string): Awaitable<void>;
}

export interface LoginThrottleOptions {
  now?: () => number;
  /** Failures per (handle, address) before delays start. */
  freePerPair?: number;
  /** Failures per address, over all handles, before delays start. */
  freePerAddress?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A count is forgotten this long after its last failure. */
  forgetAfterMs?: number;
  maxEntries?: number;
}

interface Entry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

/** The in-memory throttle answers at once. */
export interface LocalLoginThrottle extends LoginThrottle {
  retryAfter(handle: string, address: string): number;
  begin(handle: string, address: string): (() => void) | undefined;
  fail(handle: string, address: string): void;
  succeed(handle: string, address: string): void;
}

/** The in-memory throttle: one process's view, the default. */
export function createLoginThrottle(options: LoginThrottleOptions = {}): LocalLoginThrottle {
  const {
    now = Date.now,
    freePerPair = 5,
    freePerAddress = 50,
    baseDelayMs = 1_000,
    maxDelayMs = 15 * 60_000,
    forgetAfterMs = 24 * 60 * 60_000,
    maxEntries = 200_000,
  } = options;
  const entries = new Map<string, Entry>();
  // Bounded by the attempts running at once, which the hashing queue bounds.
  const running = new Set<string>();
  const pairKey = (handle: string, address: string) => `${handle}\u0000${address}`;
  const addressKey = (address: string) => `\u0000${address}`;

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && now() - entry.lastFailure > forgetAfterMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function bump(key: string, free: number): void {
    const entry = live(key) ?? { failures: 0, blockedUntil: 0, lastFailure: 0 };
    entry.failures += 1;
    entry.lastFailure = now();
    if (entry.failures > free) {
      entry.blockedUntil = now() + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, entry.failures - free - 1));
    }
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) {
      const stalest = entries.keys().next();
      if (!stalest.done) entries.delete(stalest.value);
    }
  }

  const waitFor = (key: string) => Math.max(0, (live(key)?.blockedUntil ?? 0) - now());

  return {
    retryAfter(handle, address) {
      const key = pairKey(handle, address);
      const waitMs = Math.max(waitFor(key), waitFor(addressKey(address)), running.has(key) ? 1 : 0);
      return waitMs === 0 ? 0 : Math.ceil(waitMs / 1000);
    },
    begin(handle, address) {
      const key = pairKey(handle, address);
      if (running.has(key)) return undefined;
      running.add(key);
      return () => running.delete(key);
    },
    fail(handle, address) {
      bump(pairKey(handle, address), freePerPair);
      bump(addressKey(address), freePerAddress);
    },
    succeed(handle, address) {
      entries.delete(pairKey(handle, address));
    },
  };
}
