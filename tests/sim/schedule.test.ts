import { describe, expect, it } from 'vitest';
import { seededRng } from '../../sim/random';
import { DAY, HOUR, SHORT_VISIT_MINUTES, dealHabits, makeSchedules, planPosts } from '../../sim/schedule';

const localHour = (at: number, offset: number) => (((at + offset) % DAY) + DAY) % DAY / HOUR;

describe('online schedules', () => {
  it('deals 30 % workday, 50 % few-visit and 20 % one-visit users', () => {
    const habits = dealHabits(1000, seededRng('t', 'habits'));
    const count = (h: string) => habits.filter((x) => x === h).length;
    expect([count('workday'), count('fewVisits'), count('oneVisit')]).toEqual([300, 500, 200]);
  });

  it('gives each habit its visits a day, in working or waking hours, with time zones within ±3 h', () => {
    const schedules = makeSchedules(300, 4, seededRng('t', 'schedules'));
    for (const { habit, offset, byDay } of schedules) {
      expect(Math.abs(offset)).toBeLessThanOrEqual(3 * HOUR);
      for (const visits of byDay) {
        const counts = { workday: [1], fewVisits: [2, 3], oneVisit: [1] }[habit];
        expect(counts).toContain(visits.length);
        for (const visit of visits) {
          const [from, to] = [localHour(visit.start, offset), localHour(visit.end, offset)];
          if (habit === 'workday') expect([from >= 8 && from <= 9.5, to >= 17 && to <= 18.5]).toEqual([true, true]);
          else expect([from >= 7, to <= 23, (visit.end - visit.start) / 60_000 >= SHORT_VISIT_MINUTES[0], (visit.end - visit.start) / 60_000 <= SHORT_VISIT_MINUTES[1]]).toEqual([true, true, true, true]);
        }
      }
    }
  });

  it('never lets two visits of one user overlap, so visits are ordered by start and by end alike', () => {
    for (const { byDay } of makeSchedules(300, 4, seededRng('t', 'schedules'))) {
      const visits = byDay.flat();
      for (let i = 1; i < visits.length; i++) expect(visits[i]!.start).toBeGreaterThan(visits[i - 1]!.end);
    }
  });

  it('writes each post during one of its author\'s visits, about one per user and day', () => {
    const schedules = makeSchedules(200, 4, seededRng('t', 'schedules'));
    const posts = planPosts(schedules, 1.5, seededRng('t', 'posts'));
    expect(posts.length).toBeGreaterThan(200 * 4 * 1.4);
    expect(posts.length).toBeLessThan(200 * 4 * 1.6);
    for (const post of posts) {
      expect(schedules[post.author]!.byDay.flat().some((v) => v.start <= post.at && post.at <= v.end)).toBe(true);
    }
  });

  it('places the days before the run before time 0, one day after another', () => {
    const [withWarmup] = makeSchedules(1, 3, seededRng('t', 'schedules'), -2);
    const firstStarts = withWarmup!.byDay.map((visits) => Math.floor((visits[0]!.start + withWarmup!.offset) / DAY));
    expect(firstStarts).toEqual([-2, -1, 0]);
  });

  it('draws the same schedules and posts from the same seed', () => {
    const run = () => planPosts(makeSchedules(50, 2, seededRng('same', 's')), 1, seededRng('same', 'p'));
    expect(run()).toEqual(run());
  });
});
