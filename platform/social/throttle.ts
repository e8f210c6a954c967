import type { Timers } from '../timers';

/**
 * Runs `work` at once, then at most once per `ms`: calls in between are gathered into one run at the
 * end of the wait, so a burst costs two runs, never one per call.
 */
export function createThrottle(deps: { timers: Timers; now(): number }, ms: number, work: () => void) {
  let last = -Infinity;
  let timer: unknown = null;
  const run = () => {
    last = deps.now();
    work();
  };
  return {
    call(): void {
      if (timer !== null) return;
      const wait = last + ms - deps.now();
      if (wait <= 0) return run();
      timer = deps.timers.setTimeout(() => {
        timer = null;
        run();
      }, wait);
    },
    stop(): void {
      if (timer !== null) deps.timers.clearTimeout(timer);
      timer = null;
    },
  };
}
