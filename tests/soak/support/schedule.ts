import type { ProxyMode } from '../../e2e/support/signalling-proxy';

/** What happens to the link between friends before (or while) a cycle's post is written. */
export const FAULT_KINDS = [
  'relaunch',
  'worker-sleep',
  'link-down-up',
  'broker-restart',
  'proxy-drop',
  'proxy-duplicate',
  'proxy-delay',
  'proxy-reorder',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How often each kind comes up relative to the others: a worker falls asleep only after 30 s idle. */
const WEIGHTS: Record<FaultKind, number> = {
  relaunch: 2,
  'worker-sleep': 1,
  'link-down-up': 2,
  'broker-restart': 2,
  'proxy-drop': 2,
  'proxy-duplicate': 2,
  'proxy-delay': 2,
  'proxy-reorder': 2,
};

export type Random = () => number;

/** The kinds named in `list` (comma-separated, e.g. SOAK_KINDS=link-down-up,relaunch); all of them when empty. */
export function kindsFrom(list: string | undefined): FaultKind[] {
  if (!list) return [...FAULT_KINDS];
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(FAULT_KINDS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`Unknown fault kind(s) ${unknown.join(', ')}; the kinds are ${FAULT_KINDS.join(', ')}.`);
  return names as FaultKind[];
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick() from an empty list');
  return item;
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * `cycles` fault kinds in a seeded order: each kind at least `minimumEach` times, the rest by weight (what is
 * left over goes to the cheaper kinds, never to worker-sleep).
 */
export function kindSchedule(cycles: number, random: Random, kinds: readonly FaultKind[] = FAULT_KINDS, minimumEach = 2): FaultKind[] {
  const total = kinds.reduce((sum, kind) => sum + WEIGHTS[kind], 0);
  const counts = new Map(kinds.map((kind) => [kind, Math.max(minimumEach, Math.floor((cycles * WEIGHTS[kind]) / total))]));
  const cheapest = kinds.filter((kind) => kind !== 'worker-sleep');
  const cheap = shuffle(random, cheapest.length > 0 ? cheapest : [...kinds]);
  for (let i = 0; [...counts.values()].reduce((a, b) => a + b, 0) < cycles; i += 1) {
    const kind = cheap[i % cheap.length]!;
    counts.set(kind, counts.get(kind)! + 1);
  }
  return shuffle(random, [...counts].flatMap(([kind, count]) => Array<FaultKind>(count).fill(kind)));
}

const DIRECTIONS = [['to-broker'], ['to-peer']] as const;

/** A proxy mode for one cycle of a `proxy-*` kind. */
export function proxyModeFor(kind: FaultKind, random: Random): ProxyMode {
  const directions = pick(random, DIRECTIONS);
  switch (kind) {
    case 'proxy-drop':
      // One lost frame of the handshake; or half of the ICE candidates one way.
      return random() < 0.75
        ? { kind: 'drop', types: [pick(random, ['OFFER', 'ANSWER', 'CANDIDATE'])], directions, limit: 1 }
        : { kind: 'drop', types: ['CANDIDATE'], directions, probability: 0.5 };
    case 'proxy-duplicate':
      return { kind: 'duplicate', directions, gapMs: pick(random, [0, 200, 1_000]) };
    case 'proxy-delay':
      // Latency of a slow path, up to 1.5 s each way (a congested mobile link's is a few hundred ms). At
      // 0.5–3 s a run on the fixed code still delivered every post, in 4.4–5.6 s (issue 15's note).
      return { kind: 'delay', directions, minMs: 250, maxMs: 1_500 };
    case 'proxy-reorder':
      return { kind: 'reorder', directions, holdMs: 1_500 };
    default:
      return { kind: 'pass' };
  }
}
