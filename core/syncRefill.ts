import type { Replica } from './replica';

/**
 * Which friends' walls this side has pulled again for the bodies an older peer withheld (docs/protocol.md
 * §7.6): once each, after it speaks version 4 — so a body that is truly gone is not asked for every session.
 */
export interface RefillMarks {
  needed(wall: string): Promise<boolean>;
  done(wall: string): Promise<void>;
}

export function createMemoryRefillMarks(): RefillMarks {
  const done = new Set<string>();
  return {
    needed: async (wall) => !done.has(wall),
    done: async (wall) => void done.add(wall),
  };
}

const PAGE = 500;

/**
 * Where to pull `wall` again from to get the bodies it lacks: just before its first entry held without its
 * body (neither deleted nor empty), or null when it lacks none. Reads the wall in pages.
 */
export async function refillAfter(replica: Replica, wall: string): Promise<number | null> {
  for (let after = 0; ; ) {
    const page = await replica.entriesAfter(wall, after, PAGE);
    const first = page.find((e) => e.body === null && !e.tombstoned && e.header.bodySize > 0);
    if (first) return first.seq - 1;
    if (page.length < PAGE) return null;
    after = page.at(-1)!.seq;
  }
}
