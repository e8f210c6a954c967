import { toHex } from './bytes';
import { LIMITS } from './limits';

/**
 * Where `friend`'s batch of one's own wall first forked from one's copy: its position and seal hash. A fork
 * the owner already answered with a statement, or cannot repair, is remembered by it (docs/protocol.md §8
 * Forks step 2), so the same copy is not pulled and checked whole again at every session.
 */
export type ForkPoint = { friend: string; seq: number; seal: Uint8Array };

export interface SettledForks {
  has(point: ForkPoint): Promise<boolean>;
  /** Remembers `point` (once), dropping the oldest past LIMITS.settledForks. */
  add(point: ForkPoint): Promise<void>;
}

/** One line per point: a handle holds no ':' (§4.1), so the line reads back unambiguously. */
export const forkPointKey = (p: ForkPoint): string => `${p.friend}:${p.seq}:${toHex(p.seal)}`;

export function createMemorySettledForks(): SettledForks {
  let points: string[] = [];
  return {
    async has(point) {
      return points.includes(forkPointKey(point));
    },
    async add(point) {
      const key = forkPointKey(point);
      if (!points.includes(key)) points = [...points, key].slice(-LIMITS.settledForks);
    },
  };
}
