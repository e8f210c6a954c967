import { type Rng, randomInt, uniform } from './random';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The three online habits of issue #9, with their shares of users. */
export const HABIT_SHARES = { workday: 0.3, fewVisits: 0.5, oneVisit: 0.2 } as const;
export type Habit = keyof typeof HABIT_SHARES;

/** Local clock hours; a short visit happens while people are awake. */
const WORKDAY_START: [number, number] = [8, 9.5];
const WORKDAY_END: [number, number] = [17, 18.5];
const AWAKE: [number, number] = [7, 23];
/**
 * A "short visit" (browser open for a while) lasts 30–90 minutes: with it, direct-only sync gives the
 * baseline issue #9 measured (≈ 56 % first-visit delivery, ≈ 14 % never in four days); 5–20 minutes
 * gives 43 % and 40 %, a world where even friends rarely overlap.
 */
export const SHORT_VISIT_MINUTES: [number, number] = [30, 90];
const MAX_TIME_ZONE_HOURS = 3;

const clock = (hour: number) => `${String(Math.floor(hour)).padStart(2, '0')}:${String(Math.round((hour % 1) * 60)).padStart(2, '0')}`;
const middle = ([a, b]: [number, number]) => (a + b) / 2;

/** The model in one sentence, for the printed summary. */
export const SCHEDULE_MODEL =
  `${Object.entries(HABIT_SHARES).map(([habit, share]) => `${habit} ${share * 100} %`).join(', ')}; ` +
  `workday: browser open ~${clock(middle(WORKDAY_START))}–${clock(middle(WORKDAY_END))} local; ` +
  `fewVisits 2 or 3 and oneVisit 1 visit a day of ${SHORT_VISIT_MINUTES.join('–')} min between ${clock(AWAKE[0])} and ${clock(AWAKE[1])}; ` +
  `time zones within ±${MAX_TIME_ZONE_HOURS} h`;

/** One stretch of time with the browser open, in whole ms since the simulation's start (UTC midnight of day 0). */
export type Visit = { user: number; start: number; end: number };

export type Schedule = {
  habit: Habit;
  /** Local time minus UTC. */
  offset: number;
  /** `byDay[i]`: the visits of the user's i-th local day, in order. */
  byDay: Visit[][];
};

/** Exact shares (rounded), dealt in a seeded random order so a habit does not follow the user numbering. */
export function dealHabits(users: number, rng: Rng): Habit[] {
  const workday = Math.round(users * HABIT_SHARES.workday);
  const fewVisits = Math.round(users * HABIT_SHARES.fewVisits);
  const habits: Habit[] = Array.from({ length: users }, (_, i) => (i < workday ? 'workday' : i < workday + fewVisits ? 'fewVisits' : 'oneVisit'));
  for (let i = habits.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [habits[i], habits[j]] = [habits[j]!, habits[i]!];
  }
  return habits;
}

/** Local-hour intervals of one day for a habit. Visits of two or three are spread over the waking day, one per slot. */
function localVisits(habit: Habit, rng: Rng): [number, number][] {
  if (habit === 'workday') return [[uniform(rng, ...WORKDAY_START), uniform(rng, ...WORKDAY_END)]];
  const count = habit === 'oneVisit' ? 1 : 2 + randomInt(rng, 2);
  const slot = (AWAKE[1] - AWAKE[0]) / count;
  return Array.from({ length: count }, (_, i): [number, number] => {
    const length = uniform(rng, ...SHORT_VISIT_MINUTES) / 60;
    const start = uniform(rng, AWAKE[0] + i * slot, AWAKE[0] + (i + 1) * slot - length);
    return [start, start + length];
  });
}

/** Whole ms since the start for a local day and hour: the core's clock counts whole milliseconds. */
const toMs = (day: number, localHour: number, offset: number) => Math.round(day * DAY + localHour * HOUR - offset);

/** `days` days of visits from day `firstDay` on (negative days come before the measured run). */
export function makeSchedules(users: number, days: number, rng: Rng, firstDay = 0): Schedule[] {
  return dealHabits(users, rng).map((habit, user) => {
    const offset = uniform(rng, -MAX_TIME_ZONE_HOURS, MAX_TIME_ZONE_HOURS) * HOUR;
    const byDay = Array.from({ length: days }, (_, i) =>
      localVisits(habit, rng).map(([from, to]) => ({ user, start: toMs(firstDay + i, from, offset), end: toMs(firstDay + i, to, offset) })),
    );
    return { habit, offset, byDay };
  });
}

/** A post's author and the moment it is written, in whole ms since the start. */
export type PlannedPost = { author: number; at: number };

/**
 * `perDay` posts per user and local day on average (the fraction is a coin toss), each at a
 * uniformly random moment of a uniformly chosen visit of that day: people write while online.
 */
export function planPosts(schedules: readonly Schedule[], perDay: number, rng: Rng): PlannedPost[] {
  const posts: PlannedPost[] = [];
  for (const [author, schedule] of schedules.entries()) {
    for (const visits of schedule.byDay) {
      const count = Math.floor(perDay) + (rng() < perDay % 1 ? 1 : 0);
      for (let i = 0; i < count; i++) {
        const visit = visits[randomInt(rng, visits.length)]!;
        posts.push({ author, at: Math.round(uniform(rng, visit.start, visit.end)) });
      }
    }
  }
  return posts.sort((a, b) => a.at - b.at || a.author - b.author);
}
