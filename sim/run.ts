import type { FriendGraph } from './graph';
import { measureReach, type Reach } from './metrics';
import type { Mode } from './mode';
import { createNetwork, type NetworkStats } from './network';
import { seededRng } from './random';
import { DAY, type Habit, HOUR, type PlannedPost, type Visit } from './schedule';
import type { Meeting } from './warmup';

/** At one instant: come online, then write, then leave, so a post at a visit's last ms is still live. */
type SimEvent = { at: number; order: 0 | 1 | 2; user: number };

export type ModeResult = { mode: Mode; reach: Reach; network: NetworkStats };

export type RunInput = {
  seed: string;
  days: number;
  graph: FriendGraph;
  visits: Visit[][];
  habits: readonly Habit[];
  posts: readonly PlannedPost[];
  /** Each two friends' last meeting before the run (relay mode hands reader passes out from them). */
  meetings: readonly Meeting[];
};

function timeline(visits: readonly Visit[][], posts: readonly PlannedPost[]): SimEvent[] {
  const events: SimEvent[] = [];
  for (const visit of visits.flat()) events.push({ at: visit.start, order: 0, user: visit.user }, { at: visit.end, order: 2, user: visit.user });
  for (const post of posts) events.push({ at: post.at, order: 1, user: post.author });
  return events.sort((a, b) => a.at - b.at || a.order - b.order || a.user - b.user);
}

/** Plays the same schedules and posts through the real core in one mode and measures delivery. */
export async function runMode(mode: Mode, { seed, days, graph, visits, habits, posts, meetings }: RunInput, log: (line: string) => void): Promise<ModeResult> {
  // The same key stream in every mode: identical identities, so modes differ only in the protocol.
  const network = await createNetwork(graph, mode, seededRng(seed, 'keys'));
  await network.givePasses(meetings);
  const written: { author: number; at: number; id: string }[] = [];
  const started = performance.now();
  let nextReport = 12 * HOUR;
  for (const event of timeline(visits, posts)) {
    if (event.at >= nextReport) {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      log(`[${mode}] ${nextReport / HOUR} h of ${days * 24} h simulated, ${network.stats.sessionsOpened} sessions opened, ${seconds} s`);
      nextReport += 12 * HOUR;
    }
    if (event.order === 0) await network.comeOnline(event.user, event.at);
    else if (event.order === 2) await network.goOffline(event.user, event.at);
    else written.push({ author: event.user, at: event.at, id: await network.post(event.user, event.at, `Post ${written.length + 1} by @u${event.user}`) });
  }
  const outcomes = written.map((p) => ({ author: p.author, at: p.at, storedAt: network.storedAt.get(p.id)! }));
  const reach = measureReach({ posts: outcomes, friends: graph, visits, habits, measuredBefore: (days - 1) * DAY });
  return { mode, reach, network: network.stats };
}
