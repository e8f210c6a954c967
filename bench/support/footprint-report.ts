import type { Row, Target } from '../report';
import type { FriendLog } from './footprint-probes';
import type { HostFootprint } from './host-footprint';
import type { FriendReport } from './simulated-friend';

/** One stage of bench:footprint: `online` friends brought online, then the host read. */
export interface Stage {
  online: number;
  startedAt: number;
  /** The friends this stage brought online: from the previous stage's count to `online`. */
  added: number;
  /** When the stage stopped waiting: all connected and synced, or its timeout. */
  settledAt: number;
  complete: boolean;
  footprint: HostFootprint;
  /** alice's friends by presence when she was read (`online`: a sync connection is ready). */
  presence: Record<string, number>;
  /** Friends' entries in alice's content database. */
  stored: number;
  logs: FriendLog[];
  friends: FriendReport[];
  /** Friends alice listed online and connecting, every second of the stage. */
  samples: Array<{ at: number; online: number; connecting: number }>;
  /** Uncaught "Cannot create so many PeerConnections" in alice's offscreen document during the stage. */
  capErrors: number;
}

const mib = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)} MiB`);
const sum = (logs: readonly FriendLog[], key: 'dials' | 'incoming' | 'failed') => logs.reduce((n, l) => n + l[key], 0);

/** The table rows, targets and notes of bench:footprint. */
export function footprintReport(baseline: HostFootprint, stages: readonly Stage[], options: { targetMiB: number; postsPerWall: number; stageTimeoutMs: number }) {
  const rows: Row[] = [];
  for (const s of stages) {
    const f = s.footprint;
    const held = f.peerConnections.connected;
    const ready = s.logs.flatMap((l) => (l.readyAt === null ? [] : [l.readyAt]));
    const lastReady = ready.length ? (Math.max(...ready) - s.startedAt) / 1000 : NaN;
    const most = Math.max(0, ...s.samples.map((sample) => sample.online));
    rows.push(
      { figure: `peer host RSS, ${s.online} friends online (vs none online)`, unit: 'MiB', ours: f.rssMiB, baseline: baseline.rssMiB, digits: 1 },
      { figure: `  its PSS (shared pages split among processes)`, unit: 'MiB', ours: f.pssMiB ?? NaN, baseline: baseline.pssMiB, digits: 1 },
      { figure: `  its private memory (Private_Clean + Private_Dirty + Swap)`, unit: 'MiB', ours: f.privateMiB ?? NaN, baseline: baseline.privateMiB, digits: 1 },
      { figure: `  the offscreen document's JS heap after GC`, unit: 'MiB', ours: f.heapUsedMiB, baseline: baseline.heapUsedMiB, digits: 1 },
      { figure: `  RSS above none online, per connection held`, unit: 'KiB', ours: held ? ((f.rssMiB - baseline.rssMiB) * 1024) / held : NaN, baseline: null, digits: 0 },
      { figure: `  connections held open when read (RTCPeerConnections connected, of ${f.peerConnections.total} on the heap after GC)`, unit: '', ours: held, baseline: null, digits: 0 },
      { figure: `  friends listed online when read (${JSON.stringify(s.presence)})`, unit: '', ours: s.presence.online ?? 0, baseline: null, digits: 0 },
      { figure: `  most friends listed online at once during the stage (of ${s.online})`, unit: '', ours: most, baseline: null, digits: 0 },
      {
        figure: s.complete
          ? `  stage start → the last of its ${s.added} new friends ready (connection log)`
          : `  stage start → the last of its new friends that became ready (${ready.length} of ${s.added}; the rest not within ${options.stageTimeoutMs / 1000} s)`,
        unit: 's',
        ours: lastReady,
        baseline: null,
        digits: 1,
      },
    );
  }
  const last = stages.at(-1)!;
  const lastHeld = last.footprint.peerConnections.connected;
  const targets: Target[] = [
    {
      target: `peer host < ${options.targetMiB} MiB at ${last.online} friends online (RSS)`,
      met: last.footprint.rssMiB < options.targetMiB && last.complete,
      detail: `RSS ${mib(last.footprint.rssMiB)} (none online: ${mib(baseline.rssMiB)}); PSS ${mib(last.footprint.pssMiB)}, private ${mib(last.footprint.privateMiB)}, JS heap ${mib(last.footprint.heapUsedMiB)}; ${lastHeld} of ${last.online} connected`,
    },
    {
      target: `every one of ${last.online} friends online connected at once`,
      met: last.complete,
      detail: `${lastHeld} held when read; listed online ${last.presence.online ?? 0}, at most ${Math.max(0, ...last.samples.map((x) => x.online))} at once; ${last.capErrors} "Cannot create so many PeerConnections" in the peer host`,
    },
  ];
  const notes = [
    `None online (the baseline, same run, all friends stored): RSS ${mib(baseline.rssMiB)}, PSS ${mib(baseline.pssMiB)}, private ${mib(baseline.privateMiB)}, JS heap ${mib(baseline.heapUsedMiB)} of ${mib(baseline.heapTotalMiB)}.`,
    ...stages.map((s) => {
      const never = s.friends.filter((r) => r.readyAt === null);
      const endings: Record<string, number> = {};
      for (const text of s.logs.flatMap((l) => l.endings)) endings[text] = (endings[text] ?? 0) + 1;
      const topEndings = Object.entries(endings).sort((a, b) => b[1] - a[1]).slice(0, 4);
      return (
        `${s.online} online: ${s.friends.filter((r) => r.openAt !== null).length} of ${s.friends.length} simulated friends had their broker socket open; alice stored ${s.stored} of the ${s.online * options.postsPerWall} entries of their walls, ` +
        `${s.friends.filter((r) => r.caughtUpAt !== null).length} hold hers; of the ${s.added} new friends alice dialled ${sum(s.logs, 'dials')}, was dialled ${sum(s.logs, 'incoming')} times, ${sum(s.logs, 'failed')} attempts failed; ` +
        `${s.capErrors} uncaught "Cannot create so many PeerConnections"; ${never.length} friends never had a ready session` +
        (never.length ? ` (their last errors: ${JSON.stringify([...new Set(never.flatMap((r) => r.errors))].slice(0, 3))})` : '') +
        `; RTCPeerConnections on alice's heap when read, by state: ${JSON.stringify(s.footprint.peerConnections.byState)}` +
        (topEndings.length ? `; why the new friends' connections ended, most often: ${topEndings.map(([text, n]) => `${n}× "${text}"`).join(', ')}` : '') +
        '.'
      );
    }),
  ];
  return { rows, targets, notes };
}
