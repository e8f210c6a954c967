import type { SimConfig } from './config';
import type { GraphStats } from './graph';
import { METRIC_DEFINITIONS } from './metrics';
import type { ModeResult } from './run';
import { type Habit, HABIT_SHARES, HOUR, SCHEDULE_MODEL } from './schedule';

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const duration = (ms: number | null) => (ms === null ? '–' : ms < HOUR ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / HOUR).toFixed(1)} h`);
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

const HABITS = Object.keys(HABIT_SHARES) as Habit[];

/** First-visit share for each author habit (rows) and reader habit (columns), all modes side by side. */
function habitTable(results: readonly ModeResult[]): string[] {
  const cell = (r: ModeResult, author: Habit, reader: Habit) =>
    r.reach.firstVisitByHabits.find((c) => c.author === author && c.reader === reader)?.firstVisit ?? 0;
  return [
    `First visit by habit (${results.map((r) => r.mode).join(' / ')}): author ↓, friend →`,
    '',
    `| author | ${HABITS.join(' | ')} |`,
    `|---|${HABITS.map(() => '---').join('|')}|`,
    ...HABITS.map((author) => `| ${author} | ${HABITS.map((reader) => results.map((r) => percent(cell(r, author, reader))).join(' / ')).join(' | ')} |`),
    '',
  ];
}

/** The summary as Markdown: printed to stdout and written to test-artifacts/sim/reach-summary.md. */
export function formatSummary(config: SimConfig, graph: GraphStats, friendshipsMet: number, results: readonly ModeResult[]): string {
  const first = results[0]?.reach;
  const lines = [
    '# Reach simulation (issue #9)',
    '',
    `Seed \`${config.seed}\`: ${config.users} users, ${config.days} days, ${config.postsPerDay} post(s) per user and day.`,
    `Habits: ${SCHEDULE_MODEL}.`,
    `Friendships: Watts–Strogatz, ${config.friends} nearest, rewired with p = ${config.rewire}: ` +
      `${graph.meanFriends.toFixed(1)} friends on average, ${graph.meanMutualFriends.toFixed(1)} mutual friends per friendship, clustering ${graph.clustering.toFixed(2)}.`,
    config.modes.includes('relay')
      ? `Reader passes (relay): each owner gave a friend one at their last meeting in the ${config.warmupDays} days before the run ` +
        `(${percent(friendshipsMet / ((graph.meanFriends * config.users) / 2))} of friendships met); later ones come from the run's own sessions.`
      : '',
    first ? `Measured: ${first.posts} posts, ${first.pairs} (post, friend) pairs.` : '',
    '',
    '| mode | first visit | 24 h | never | median delay | p90 delay | sessions opened | bytes sent |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(({ mode, reach, network }) =>
      `| ${mode} | ${percent(reach.firstVisit)} | ${percent(reach.within24h)} | ${percent(reach.never)} | ${duration(reach.medianDelay)} | ` +
      `${duration(reach.p90Delay)} | ${network.sessionsOpened} | ${megabytes(network.bytesSent)} |`),
    '',
    ...habitTable(results),
    ...results.filter((r) => r.network.failedSessions > 0).map((r) =>
      `**${r.mode}: ${r.network.failedSessions} sessions ended with an error** (first: ${r.network.firstFailure}) — the numbers above are suspect.`),
    'Definitions:',
    ...METRIC_DEFINITIONS.map((d) => `- ${d}`),
    '- bytes sent: every frame both sides of every session sent, handshakes included',
    '',
  ];
  return lines.join('\n');
}
