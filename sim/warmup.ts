import type { FriendGraph } from './graph';
import type { Visit } from './schedule';

/** Two friends' sessions opened at `at`: the later of their two arrivals. */
export type Meeting = { a: number; b: number; at: number };

/**
 * The last time each two friends were online together, if they were. A reader pass comes only from
 * its owner, in a session, and lasts 7 days (docs/protocol.md §7.5), so who holds which pass when
 * the run starts follows from the week before; only the last meeting matters for the run.
 */
export function lastMeetings(graph: FriendGraph, visits: readonly (readonly Visit[])[]): Meeting[] {
  const meetings: Meeting[] = [];
  for (const [a, friends] of graph.entries()) {
    for (const b of friends) {
      if (b < a) continue;
      let last: number | null = null;
      for (const x of visits[a]!) {
        for (const y of visits[b]!) {
          const start = Math.max(x.start, y.start);
          if (start <= Math.min(x.end, y.end) && (last === null || start > last)) last = start;
        }
      }
      if (last !== null) meetings.push({ a, b, at: last });
    }
  }
  return meetings;
}
