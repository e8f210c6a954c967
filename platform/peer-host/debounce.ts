import type { Timers } from './timers';

/** Calls `fn` once, `ms` after the first of a burst of calls (e.g. change notices during a sync). */
export function debounce(fn: () => void, ms: number, timers: Timers): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    timers.setTimeout(() => {
      pending = false;
      fn();
    }, ms);
  };
}
