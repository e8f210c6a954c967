import { describe, expect, it } from 'vitest';
import { measureReach, type PostOutcome } from '../../sim/metrics';
import { HOUR, type Visit } from '../../sim/schedule';

const MIN = 60_000;
const visit = (user: number, startHour: number, endHour: number): Visit => ({ user, start: startHour * HOUR, end: endHour * HOUR });

/** Author 0 with friends 1, 2 and 3; each friend's visits are listed below. */
const friends = [[1, 2, 3], [0], [0], [0]];
const visits = [
  [visit(0, 9, 17)],
  [visit(1, 8, 18), visit(1, 32, 42)],
  [visit(2, 12, 12.25), visit(2, 20, 20.25), visit(2, 36, 36.25)],
  [visit(3, 21, 21.25), visit(3, 45, 45.25)],
];
const habits = ['workday', 'workday', 'fewVisits', 'oneVisit'] as const;
const measure = (posts: PostOutcome[]) => measureReach({ posts, friends, visits, habits, measuredBefore: 24 * HOUR });

describe('reach metrics', () => {
  it('counts live delivery, delivery on a later visit, and a post never delivered', () => {
    // Written at 10:00: friend 1 is online (live); friend 2's first visit after it is 12:00–12:15
    // but it stores the post only at 20:05; friend 3 never does.
    const reach = measure([{ author: 0, at: 10 * HOUR, storedAt: new Map([[1, 10 * HOUR], [2, 20 * HOUR + 5 * MIN]]) }]);
    expect(reach).toMatchObject({ posts: 1, pairs: 3, firstVisit: 1 / 3, within24h: 2 / 3, never: 1 / 3, medianDelay: 0, p90Delay: 10 * HOUR + 5 * MIN });
  });

  it('counts a post stored on the first visit after it even a day later, but not within 24 h', () => {
    // Friend 3's first visit after 20:00 is 21:00–21:15 — it missed that; the next is 45:00.
    const reach = measure([{ author: 0, at: 20 * HOUR, storedAt: new Map([[3, 45 * HOUR + MIN]]) }]);
    expect(reach.firstVisit).toBe(0);
    expect(reach.within24h).toBe(0);
    expect(reach.never).toBe(2 / 3);
  });

  it('leaves out posts written on the last day and breaks first visits down by habit', () => {
    const reach = measure([
      { author: 0, at: 16 * HOUR, storedAt: new Map([[1, 16 * HOUR]]) },
      { author: 0, at: 33 * HOUR, storedAt: new Map([[1, 33 * HOUR], [2, 36 * HOUR]]) },
    ]);
    expect(reach.posts).toBe(1);
    expect(reach.firstVisitByHabits).toEqual([
      { author: 'workday', reader: 'workday', pairs: 1, firstVisit: 1 },
      { author: 'workday', reader: 'fewVisits', pairs: 1, firstVisit: 0 },
      { author: 'workday', reader: 'oneVisit', pairs: 1, firstVisit: 0 },
    ]);
  });
});
