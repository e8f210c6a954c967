import type { FriendGraph } from './graph';
import { DAY, type Habit, type Visit } from './schedule';

/** What happened to one post: who stored it when (ms since the start), the author excluded. */
export type PostOutcome = { author: number; at: number; storedAt: ReadonlyMap<number, number> };

export type ReachInput = {
  posts: readonly PostOutcome[];
  friends: FriendGraph;
  /** Each user's visits in time order (a user's visits never overlap, so also in order of their ends). */
  visits: readonly (readonly Visit[])[];
  habits: readonly Habit[];
  /** Only posts written before this moment count, so each has a full day of follow-up. */
  measuredBefore: number;
};

export type Reach = {
  posts: number;
  /** (post, friend of its author) pairs measured. */
  pairs: number;
  /** Shares of pairs, 0..1 (definitions in METRIC_DEFINITIONS). */
  firstVisit: number;
  within24h: number;
  never: number;
  /** Post → stored, over pairs stored by the end of the run; ms. */
  medianDelay: number | null;
  p90Delay: number | null;
  /** First-visit share per author habit and reader habit: which schedules the protocol fails. */
  firstVisitByHabits: HabitCell[];
};

export type HabitCell = { author: Habit; reader: Habit; pairs: number; firstVisit: number };

export const METRIC_DEFINITIONS = [
  'pairs: (post, friend of its author), for posts written before the last simulated day starts, so each has 24 h of follow-up',
  'first visit: the friend holds the post by the end of its first visit that ends after the post was written (a friend online at that moment counts that visit)',
  '24 h: the friend holds the post within 24 h of its writing',
  'never: the friend does not hold the post when the last visit of the run ends',
  'delay: post written → stored by the friend, over pairs stored by the end (median, p90)',
];

/** The first visit ending after `at`, by binary search over ends. */
export function firstVisitEndingAfter(visits: readonly Visit[], at: number): Visit | null {
  let low = 0, high = visits.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (visits[mid]!.end > at) high = mid;
    else low = mid + 1;
  }
  return visits[low] ?? null;
}

/** Nearest-rank quantile: a value that occurred, never an average of two. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export function measureReach({ posts, friends, visits, habits, measuredBefore }: ReachInput): Reach {
  let measuredPosts = 0, pairs = 0, firstVisit = 0, within24h = 0, never = 0;
  const delays: number[] = [];
  const cells = new Map<string, HabitCell>();
  const cellOf = (author: Habit, reader: Habit): HabitCell => {
    const key = `${author} ${reader}`;
    if (!cells.has(key)) cells.set(key, { author, reader, pairs: 0, firstVisit: 0 });
    return cells.get(key)!;
  };
  for (const post of posts) {
    if (post.at >= measuredBefore) continue;
    measuredPosts++;
    for (const friend of friends[post.author]!) {
      pairs++;
      const cell = cellOf(habits[post.author]!, habits[friend]!);
      cell.pairs++;
      const stored = post.storedAt.get(friend);
      const visit = firstVisitEndingAfter(visits[friend]!, post.at);
      if (stored === undefined) {
        never++;
        continue;
      }
      delays.push(stored - post.at);
      if (visit && stored <= visit.end) {
        firstVisit++;
        cell.firstVisit++;
      }
      if (stored - post.at <= DAY) within24h++;
    }
  }
  delays.sort((a, b) => a - b);
  const share = (n: number) => (pairs > 0 ? n / pairs : 0);
  return {
    posts: measuredPosts,
    pairs,
    firstVisit: share(firstVisit),
    within24h: share(within24h),
    never: share(never),
    medianDelay: quantile(delays, 0.5),
    p90Delay: quantile(delays, 0.9),
    firstVisitByHabits: [...cells.values()].map((c) => ({ ...c, firstVisit: c.pairs > 0 ? c.firstVisit / c.pairs : 0 })),
  };
}
