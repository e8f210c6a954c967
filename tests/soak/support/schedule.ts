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
export function kindSchedule(cycles: number, random: Random, minimumEach = 2): FaultKind[] {
  const total = Object.values(WEIGHTS).reduce((sum, weight) => sum + weight, 0);
  const counts = new Map(FAULT_KINDS.map((kind) => [kind, Math.max(minimumEach, Math.floor((cycles * WEIGHTS[kind]) / total))]));
  const cheap = shuffle(random, FAULT_KINDS.filter((kind) => kind !== 'worker-sleep'));
  for (let i = 0; [...counts.values()].reduce((a, b) => a + b, 0) < cycles; i += 1) {
    const kind = cheap[i % cheap.length]!;
    counts.set(kind, counts.get(kind)! + 1);
  }
  const kinds = [...counts].flatMap(([kind, count]) => Array<FaultKind>(count).fill(kind));
  return shuffle(random, kinds);
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
      return { kind: 'delay', directions, minMs: 500, maxMs: 3_000 };
    case 'proxy-reorder':
      return { kind: 'reorder', directions, holdMs: 1_500 };
    default:
      return { kind: 'pass' };
  }
}
