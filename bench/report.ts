/**
 * The one output of every `npm run bench:*` (issue 11): a table — figure, ours, the baseline measured in
 * the same run, ratio — then which targets are met, and the same as JSON in `bench/results/<name>.json`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

export interface Row {
  figure: string;
  unit: string;
  ours: number;
  /** Measured in the same run (or, where a figure says so, read from the previous run); null when there is none. */
  baseline: number | null;
  /** Decimals shown; by default fewer as the value grows. */
  digits?: number;
  /** Shown after a value, e.g. `p95 9.5`. */
  oursNote?: string;
  baselineNote?: string;
}

export interface Target {
  target: string;
  met: boolean;
  /** The figures the verdict rests on. */
  detail: string;
}

export interface Machine {
  os: string;
  node: string;
  cores: number;
  cpu: string | null;
  /** One-minute load average when the results were written: the machine is shared. */
  loadAverage: number;
  browsers?: Record<string, string>;
}

export interface Report {
  /** The results file's name: `bench/results/<name>.json`. */
  name: string;
  title: string;
  rows: Row[];
  targets?: Target[];
  notes?: string[];
  parameters?: Record<string, unknown>;
  /** Each benchmark's own figures beyond the table (per size, per sample…), kept in the JSON only. */
  details?: unknown;
  browsers?: Record<string, string>;
}

export interface Results extends Omit<Report, 'rows'> {
  at: string;
  machine: Machine;
  rows: Array<Row & { ratio: number | null }>;
}

export function ratioOf(ours: number, baseline: number | null): number | null {
  return baseline === null || !Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0 ? null : ours / baseline;
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}

export function machine(browsers?: Record<string, string>): Machine {
  return {
    os: osName(),
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? null,
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
    ...(browsers ? { browsers } : {}),
  };
}

export function formatValue(value: number | null, unit: string, digits?: number): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  const shown = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3);
  return unit ? `${value.toFixed(shown)} ${unit}` : value.toFixed(shown);
}

const cell = (value: number | null, unit: string, digits: number | undefined, note: string | undefined) =>
  value === null ? '—' : note ? `${formatValue(value, unit, digits)} (${note})` : formatValue(value, unit, digits);

/** A Markdown table, padded so it also reads in a terminal. */
export function formatTable(rows: readonly Row[]): string {
  const lines = [['figure', 'ours', 'baseline', 'ratio']];
  for (const row of rows) {
    const ratio = ratioOf(row.ours, row.baseline);
    lines.push([
      row.figure,
      cell(row.ours, row.unit, row.digits, row.oursNote),
      cell(row.baseline, row.unit, row.digits, row.baselineNote),
      ratio === null ? '—' : `${ratio.toFixed(2)}×`,
    ]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const format = (line: string[]) => `| ${line.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
  return [format(lines[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(format)].join('\n');
}

export function resultsFile(name: string): string {
  return join(RESULTS_DIR, `${name}.json`);
}

/** The previous run's results of `name`, if a readable file is there. */
export function previousResults(name: string): Results | null {
  try {
    return JSON.parse(readFileSync(resultsFile(name), 'utf8')) as Results;
  } catch {
    return null;
  }
}

/** The table, the targets and the notes as one text (printed at once, so a test runner keeps it together). */
export function formatReport(results: Pick<Results, 'title' | 'rows' | 'targets' | 'notes'>): string {
  const parts = [results.title, '', formatTable(results.rows)];
  if (results.targets?.length) {
    parts.push('', ...results.targets.map((t) => `target ${t.target}: ${t.met ? 'met' : 'NOT met'} (${t.detail})`));
  }
  if (results.notes?.length) parts.push('', ...results.notes);
  return parts.join('\n');
}

/** Prints the report and writes `bench/results/<name>.json`; returns what was written. */
export function publish(report: Report): Results {
  const { browsers, rows, ...rest } = report;
  const results: Results = {
    ...rest,
    at: new Date().toISOString(),
    machine: machine(browsers),
    rows: rows.map((row) => ({ ...row, ratio: ratioOf(row.ours, row.baseline) })),
  };
  const file = resultsFile(report.name);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const m = results.machine;
  console.log(`\n${formatReport(results)}\n\n${m.os}, Node ${m.node}, ${m.cores} cores (${m.cpu ?? 'unknown CPU'}), load ${m.loadAverage}; wrote ${file}`);
  return results;
}
