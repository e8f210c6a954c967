import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../e2e/support/paths';
import type { CycleResult } from './cycle';
import { FAULT_KINDS } from './schedule';

export const SOAK_ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts/soak');

export interface RunInfo {
  label: string;
  seed: number;
  startedAt: number;
  endedAt: number;
  stuckMs: number;
  /** e.g. "alice, bob for cycles 1–10; alice, bob, carol for 11–20". */
  members: string;
  /** How befriending went before the cycles. */
  setup: string[];
}

/** The nearest-rank percentile `p` (0–100) of `values`, or undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

function spread(values: readonly number[]): string {
  return [50, 95, 100].map((p) => seconds(percentile(values, p))).join(' / ');
}

function retries(results: readonly CycleResult[]): string {
  const known = results.filter((r) => r.retry !== undefined);
  return known.length === 0 ? 'n/a' : `${known.filter((r) => r.retry).length}${known.length < results.length ? ` of ${known.length}` : ''}`;
}

function row(name: string, results: readonly CycleResult[]): string {
  const delivered = results.flatMap((r) => (r.deliveredMs === undefined ? [] : [r.deliveredMs]));
  const connected = results.flatMap((r) => (r.connectedMs === undefined ? [] : [r.connectedMs]));
  const stuck = results.filter((r) => r.stuck).length;
  const cantConnect = results.filter((r) => (r.cantConnect?.length ?? 0) > 0).length;
  return `| ${name} | ${results.length} | ${stuck} | ${retries(results)} | ${cantConnect} | ${spread(connected)} | ${spread(delivered)} |`;
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function p95Delivered(results: readonly CycleResult[]): number | undefined {
  return percentile(results.flatMap((r) => (r.deliveredMs === undefined ? [] : [r.deliveredMs])), 95);
}

/** The figures, as Markdown that pastes into an issue note. */
export function figures(results: readonly CycleResult[], info: RunInfo): string {
  const stuck = results.filter((r) => r.stuck);
  const lines = [
    `## Soak (${info.label}): ${results.length} cycles, ${stuck.length} stuck`,
    '',
    `Seed ${info.seed} · ${info.members} · ${((info.endedAt - info.startedAt) / 60_000).toFixed(1)} min · ` +
      `a cycle is stuck when its post is not delivered ${info.stuckMs / 1000} s after everyone is online at the broker again.`,
    'Times run from that moment: *connected* = each side lists the other **Online** (sync connection ready), both ways; ' +
      '*delivered* = every friend has the post. p50 / p95 / max over the cycles that delivered in time. ' +
      '*retry* = cycles whose connection logs (`host:connection-log`) show more than one dial, a failed attempt or a retry. ' +
      "*can't connect* = cycles in which a peer host said **Can't connect** about a friend while everyone was online (the link-down kind's link is up again by then).",
    `Setup: ${info.setup.join('; ')}.`,
    '',
    "| fault | cycles | stuck | retry | can't connect | connected p50 / p95 / max | delivered p50 / p95 / max |",
    '|---|---|---|---|---|---|---|',
    ...FAULT_KINDS.filter((kind) => results.some((r) => r.kind === kind)).map((kind) => row(kind, results.filter((r) => r.kind === kind))),
    row('**all**', results),
  ];
  if (stuck.length > 0) {
    lines.push(
      '',
      '### Stuck cycles',
      '',
      '| # | fault | post | what happened | at the deadline | later |',
      '|---|---|---|---|---|---|',
      ...stuck.map(
        (r) =>
          `| ${r.index} | ${r.kind} | @${r.writer} → ${r.recipients.map((h) => `@${h}`).join(', ')} | ${cell(r.notes.join('; '))} | ` +
          `${cell(r.diagnosis.slice(0, r.recipients.length + 1).join(' · '))} | ${r.lateDeliveredMs === undefined ? 'never' : `delivered at ${seconds(r.lateDeliveredMs)}`} |`,
      ),
    );
  }
  return lines.join('\n');
}

/** Every cycle, one line each, and the stuck ones in full: the file beside the figures. */
export function cycleLog(results: readonly CycleResult[]): string {
  const lines = [
    '| # | fault | post | fault notes | connected | delivered | retry |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.index} | ${r.kind}${r.stuck ? ' **STUCK**' : ''} | @${r.writer} → ${r.recipients.join(', ')} | ${cell(r.notes.join('; '))} | ` +
        `${seconds(r.connectedMs)} | ${r.stuck ? (r.lateDeliveredMs === undefined ? 'never' : `late ${seconds(r.lateDeliveredMs)}`) : seconds(r.deliveredMs)} | ${r.retry === undefined ? 'n/a' : r.retry ? 'yes' : 'no'} |`,
    ),
  ];
  for (const r of results.filter((c) => c.stuck)) {
    lines.push(
      '',
      `### Cycle ${r.index} (${r.kind}), ${new Date(r.startedAt).toISOString()} – ${new Date(r.endedAt).toISOString()}`,
      ...r.diagnosis.map((line) => `- ${line}`),
      ...(r.screenshots.length ? [`- screenshots: ${r.screenshots.map((file) => path.basename(file)).join(', ')}`] : []),
    );
  }
  return lines.join('\n');
}

/** One line per cycle for the console while the soak runs. */
export function progressLine(r: CycleResult): string {
  const outcome = r.stuck
    ? `STUCK${r.lateDeliveredMs === undefined ? '' : ` (delivered late, ${seconds(r.lateDeliveredMs)})`}`
    : `connected ${seconds(r.connectedMs)}, delivered ${seconds(r.deliveredMs)}`;
  return `#${r.index} ${r.kind} @${r.writer} → ${r.recipients.join(', ')}: ${outcome}${r.retry ? ', retried' : ''} [${r.notes.join('; ')}]`;
}

/** Writes `<label>-summary.md` (figures + every cycle) and `<label>-cycles.json`; returns the Markdown file. */
export function writeReport(results: readonly CycleResult[], info: RunInfo): string {
  mkdirSync(SOAK_ARTIFACTS_DIR, { recursive: true });
  const file = path.join(SOAK_ARTIFACTS_DIR, `${info.label}-summary.md`);
  writeFileSync(file, `${figures(results, info)}\n\n## Every cycle\n\n${cycleLog(results)}\n`);
  writeFileSync(path.join(SOAK_ARTIFACTS_DIR, `${info.label}-cycles.json`), JSON.stringify({ info, results }, null, 2));
  return file;
}
