import { describe, expect, it } from 'vitest';
import { wattsStrogatz } from '../../sim/graph';
import { measureReach } from '../../sim/metrics';
import { seededRng } from '../../sim/random';
import { runMode } from '../../sim/run';
import { makeSchedules, planPosts, type Visit } from '../../sim/schedule';

/** Direct-only, a friend can only get a post from its author: at the first moment after it both are online. */
function firstTogether(author: readonly Visit[], friend: readonly Visit[], from: number): number | null {
  let first: number | null = null;
  for (const a of author) {
    for (const f of friend) {
      const start = Math.max(a.start, f.start, from);
      if (start <= Math.min(a.end, f.end) && (first === null || start < first)) first = start;
    }
  }
  return first;
}

describe('the simulation in direct mode', () => {
  it('measures through the real core exactly what the overlap of online times predicts', async () => {
    const [seed, days] = ['oracle', 3];
    const graph = wattsStrogatz(40, 8, 0.15, seededRng(seed, 'graph'));
    const schedules = makeSchedules(40, days, seededRng(seed, 'schedules'));
    const visits = schedules.map((s) => s.byDay.flat());
    const habits = schedules.map((s) => s.habit);
    const posts = planPosts(schedules, 1, seededRng(seed, 'posts'));

    const simulated = await runMode('direct', { seed, days, graph, visits, habits, posts, meetings: [] }, () => {});

    const predicted = posts.map(({ author, at }) => {
      const storedAt = new Map<number, number>();
      for (const friend of graph[author]!) {
        const when = firstTogether(visits[author]!, visits[friend]!, at);
        if (when !== null) storedAt.set(friend, when);
      }
      return { author, at, storedAt };
    });
    expect(simulated.network.failedSessions).toBe(0);
    expect(simulated.reach).toEqual(measureReach({ posts: predicted, friends: graph, visits, habits, measuredBefore: (days - 1) * 86_400_000 }));
  }, 60_000);
});
