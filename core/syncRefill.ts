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

/**
 * One session's pull again of its friend's wall for the bodies an older version of this side got without
 * (§7.6): where it starts, once per wall after this side speaks version 4, and its mark, set only once a
 * batch reaches the friend's head, so a session cut half-way leaves the rest to the next one.
 */
export function createRefill(d: { replica: Replica; peer: string; marks(): RefillMarks | undefined; open(): boolean }) {
  let refilling = false;
  return {
    /** Where to pull the friend's wall from so withheld bodies are filled in, or null. */
    async point(): Promise<number | null> {
      const marks = d.marks();
      if (!marks || !(await marks.needed(d.peer))) return null;
      const from = await refillAfter(d.replica, d.peer);
      if (from === null) await marks.done(d.peer);
      else refilling = true;
      return from;
    },
    /** A batch was handled: the pull again is done when it reached the friend's head. */
    async reached(m: { wall: string; headSeq: number; entries: readonly { seq: number }[] }): Promise<void> {
      if (!refilling || m.wall !== d.peer || !d.open()) return;
      if (m.entries.length > 0 && m.entries.at(-1)!.seq < m.headSeq) return;
      refilling = false;
      await d.marks()?.done(d.peer);
    },
  };
}
