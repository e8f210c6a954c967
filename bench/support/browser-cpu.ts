/**
 * CPU time of whole browsers, read from Linux's /proc: every process of a Chromium started on a profile (its
 * browser process, found by `--user-data-dir`, and all that descend from it), sampled every `everyMs`. A
 * transfer between two browsers on this 2-core machine is bound by their CPU, so the CPU-seconds it costs them
 * compare with a raw data channel's more steadily than its duration (`npm run bench:media`).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** What part of a browser a process is: Chromium names it with `--type` (and a utility's sub-type). */
export type CpuPart = 'browser' | 'renderer' | 'network' | 'other';
/** CPU-seconds by part, for each browser in the order of the profiles given. */
export type CpuSeconds = Record<CpuPart, number>[];

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

type Proc = { pid: number; ppid: number; ticks: number; part: CpuPart; profile: string | null };

/** What each process is, read once from its command line (Chromium's children rewrite theirs into one string). */
const kinds = new Map<number, { part: CpuPart; profile: string | null }>();

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it are positional.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let kind = kinds.get(pid);
    if (!kind) {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      const type = args.find((a) => a.startsWith('--type='))?.slice(7) ?? null;
      const utility = args.find((a) => a.startsWith('--utility-sub-type='))?.slice(19) ?? '';
      const part: CpuPart = type === null ? 'browser' : type === 'renderer' ? 'renderer' : utility.startsWith('network.') ? 'network' : 'other';
      kind = { part, profile: args.find((a) => a.startsWith('--user-data-dir='))?.slice(16) ?? null };
      kinds.set(pid, kind);
    }
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), ...kind };
  } catch {
    return null; // gone meanwhile, or not ours to read
  }
}

const noTime = (): Record<CpuPart, number> => ({ browser: 0, renderer: 0, network: 0, other: 0 });

/** Cumulative CPU-seconds by part of the browsers on `profiles`; a process keeps what it used after it exits. */
function createTally(profiles: readonly string[]) {
  const last = new Map<number, { ticks: number; part: CpuPart; browser: number }>();
  return (): CpuSeconds => {
    const procs = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readProc(Number(name)))
      .filter((p): p is Proc => p !== null);
    const roots = new Map(procs.filter((p) => p.part === 'browser' && p.profile !== null && profiles.includes(p.profile)).map((p) => [p.pid, profiles.indexOf(p.profile!)]));
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    /** Which browser `p` belongs to (an index into `profiles`), or -1. */
    const browserOf = (p: Proc): number => {
      for (let at: Proc | undefined = p, hops = 0; at && hops < 8; at = byPid.get(at.ppid), hops++) if (roots.has(at.pid)) return roots.get(at.pid)!;
      return -1;
    };
    for (const p of procs) {
      const browser = browserOf(p);
      if (browser >= 0) last.set(p.pid, { ticks: p.ticks, part: p.part, browser });
    }
    const total: CpuSeconds = profiles.map(noTime);
    for (const { ticks, part, browser } of last.values()) total[browser]![part] += ticks / TICKS_PER_SECOND;
    return total;
  };
}

export interface CpuSampler {
  /** CPU-seconds by part between two `Date.now()` times, interpolated between samples. */
  between(from: number, to: number): CpuSeconds;
  stop(): void;
}

export function sampleBrowserCpu(profiles: readonly string[], everyMs = 250): CpuSampler {
  const tally = createTally(profiles);
  const samples: { at: number; cpu: CpuSeconds }[] = [{ at: Date.now(), cpu: tally() }];
  const timer = setInterval(() => samples.push({ at: Date.now(), cpu: tally() }), everyMs);

  const combine = (a: CpuSeconds, b: CpuSeconds, f: (x: number, y: number) => number): CpuSeconds =>
    a.map((parts, i) => Object.fromEntries((Object.keys(parts) as CpuPart[]).map((part) => [part, f(parts[part], b[i]![part])])) as Record<CpuPart, number>);

  /** The cumulative tally at `at`, on the line between the samples around it. */
  function at(time: number): CpuSeconds {
    const after = samples.findIndex((s) => s.at >= time);
    if (after <= 0) return (after === 0 ? samples[0] : samples.at(-1))!.cpu;
    const a = samples[after - 1]!;
    const b = samples[after]!;
    const f = (time - a.at) / (b.at - a.at);
    return combine(a.cpu, b.cpu, (x, y) => x + f * (y - x));
  }

  return {
    between: (from, to) => combine(at(from), at(to), (x, y) => y - x),
    stop: () => clearInterval(timer),
  };
}

/** CPU-seconds of `part` (all parts if none) of every browser, or of browser `only`. */
export const cpuOf = (cpu: CpuSeconds, part?: CpuPart, only?: number): number =>
  cpu.filter((_, i) => only === undefined || i === only).reduce((sum, b) => sum + (part ? b[part] : b.browser + b.renderer + b.network + b.other), 0);
