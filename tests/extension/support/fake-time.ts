import type { Timers } from '@/platform/timers';

/** A manual clock and timer queue: time moves only when a test calls `advance`. */
export interface FakeTime {
  now(): number;
  timers: Timers;
  advance(ms: number): Promise<void>;
  pending(): number;
}

/** Lets promise chains started by timers or events run to completion. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function createFakeTime(start = Date.UTC(2026, 0, 1)): FakeTime {
  let now = start;
  let nextId = 1;
  const queue = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    timers: {
      setTimeout(callback, ms) {
        const id = nextId++;
        queue.set(id, { at: now + Math.max(0, ms), callback });
        return id;
      },
      clearTimeout(handle) {
        queue.delete(handle as number);
      },
    },
    async advance(ms) {
      const end = now + ms;
      await flush();
      for (;;) {
        let next: [number, { at: number; callback: () => void }] | null = null;
        for (const entry of queue) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        queue.delete(next[0]);
        now = next[1].at;
        next[1].callback();
        await flush();
      }
      now = end;
      await flush();
    },
    pending: () => queue.size,
  };
}
