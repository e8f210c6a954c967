/**
 * `npm run sim:reach` — how many friends get a post while they are online, direct-only vs relay
 * (issue #9 "Reach"). Users with the online habits and a clustered friendship graph write
 * posts for a few days; every pair of friends online at once syncs through the real core
 * (identities, in-memory replicas, sync sessions over in-memory transports), and the simulation
 * records when each friend stored each post. Everything is seeded and runs on the simulation
 * clock, so the same SIM_SEED prints the same table.
 *
 * Relay mode starts warm: a reader pass comes only from its owner, in a session, so each owner
 * hands its friends the pass of their last meeting in the week before the run (simulated from the
 * same habits, no sync); without that, friends who have not met yet in the run could never relay.
 *
 * Metrics, over (post, friend of its author) pairs of posts written before the last day starts
 * (so each has a full day of follow-up; the last day only delivers):
 * - first visit: held by the end of the friend's first visit that ends after the post was written,
 *   so a friend online at that moment counts its current visit (it can get the post live);
 * - 24 h: held within 24 h of the post; never: not held when the run's last visit ends;
 * - delay: post → stored, median and p90 over the pairs stored by the end.
 *
 * SIM_USERS (1000, ~30 min on one core; 250 takes ~7), SIM_FRIENDS (30), SIM_REWIRE (0.15), SIM_DAYS (4),
 * SIM_WARMUP_DAYS (7; 0 starts cold), SIM_SEED (peerwall), SIM_POSTS_PER_DAY (1), SIM_MODES
 * (direct,relay). Progress and run times go to stderr; the table to stdout and
 * test-artifacts/sim/reach-summary.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readConfig } from './config';
import { graphStats, wattsStrogatz } from './graph';
import { seededRng } from './random';
import { formatSummary } from './report';
import { runMode, type ModeResult } from './run';
import { makeSchedules, planPosts } from './schedule';
import { lastMeetings } from './warmup';

const SUMMARY = 'test-artifacts/sim/reach-summary.md';

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const graph = wattsStrogatz(config.users, config.friends, config.rewire, seededRng(config.seed, 'graph'));
  const withWarmup = makeSchedules(config.users, config.warmupDays + config.days, seededRng(config.seed, 'schedules'), -config.warmupDays);
  const meetings = lastMeetings(graph, withWarmup.map((s) => s.byDay.slice(0, config.warmupDays).flat()));
  const schedules = withWarmup.map((s) => ({ ...s, byDay: s.byDay.slice(config.warmupDays) }));
  const posts = planPosts(schedules, config.postsPerDay, seededRng(config.seed, 'posts'));
  const visits = schedules.map((s) => s.byDay.flat());
  const log = (line: string) => console.error(line);
  const results: ModeResult[] = [];
  for (const mode of config.modes) {
    const started = performance.now();
    results.push(await runMode(mode, { seed: config.seed, days: config.days, graph, visits, habits: schedules.map((s) => s.habit), posts, meetings }, log));
    log(`[${mode}] done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const summary = formatSummary(config, graphStats(graph), meetings.length, results);
  console.log(summary);
  await mkdir('test-artifacts/sim', { recursive: true });
  await writeFile(SUMMARY, summary);
  log(`Written to ${SUMMARY}.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
