import { type Mode, MODES } from './mode';

export type SimConfig = {
  users: number;
  friends: number;
  /** Watts–Strogatz rewiring probability: the share of friendships that leave the local cluster. */
  rewire: number;
  days: number;
  /** Days simulated before the run only to find who met whom (reader passes); 0 starts cold. */
  warmupDays: number;
  seed: string;
  postsPerDay: number;
  modes: Mode[];
};

/**
 * The 1 000 users take about half an hour on one core for both modes (relaying checks ~25 ms
 * of pure-JS signatures per session); the shares barely move with the number of users, since each
 * still has 30 friends and the same clustering, so SIM_USERS=250 gives a quick look in ~7 minutes.
 */
const DEFAULTS = { users: 1000, friends: 30, rewire: 0.15, days: 4, warmupDays: 7, seed: 'peerwall', postsPerDay: 1, modes: 'direct,relay' };

/** Reads the SIM_* variables; a bad value is an error that names the variable and what it takes. */
export function readConfig(env: NodeJS.ProcessEnv): SimConfig {
  const number = (name: string, fallback: number, valid: (n: number) => boolean, rule: string): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!valid(value)) throw new RangeError(`${name}=${raw} is not valid: it takes ${rule}.`);
    return value;
  };
  const whole = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
  const friends = number('SIM_FRIENDS', DEFAULTS.friends, (n) => whole(2)(n) && n % 2 === 0, 'an even whole number ≥ 2');
  const users = number('SIM_USERS', DEFAULTS.users, whole(friends + 2), `a whole number above SIM_FRIENDS + 1 (${friends + 1})`);
  const modes = (env.SIM_MODES || DEFAULTS.modes).split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !(MODES as readonly string[]).includes(m));
  if (unknown.length > 0 || modes.length === 0) throw new RangeError(`SIM_MODES=${env.SIM_MODES} is not valid: it takes ${MODES.join(' and/or ')}, comma-separated.`);
  return {
    users,
    friends,
    rewire: number('SIM_REWIRE', DEFAULTS.rewire, (n) => n >= 0 && n <= 1, 'a probability from 0 to 1'),
    // One day is kept back as follow-up for the posts measured, so two is the least that measures anything.
    days: number('SIM_DAYS', DEFAULTS.days, whole(2), 'a whole number ≥ 2'),
    warmupDays: number('SIM_WARMUP_DAYS', DEFAULTS.warmupDays, whole(0), 'a whole number ≥ 0'),
    seed: env.SIM_SEED || DEFAULTS.seed,
    postsPerDay: number('SIM_POSTS_PER_DAY', DEFAULTS.postsPerDay, (n) => Number.isFinite(n) && n >= 0, 'a number ≥ 0'),
    modes: [...new Set(modes as Mode[])],
  };
}
