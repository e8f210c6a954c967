import type { RefillMarks } from '@/core/syncRefill';
import type { ContentDb } from '../content-db';

/** One `meta` record per friend's wall (no store of its own, so no schema step): `true` once pulled again. */
const keyOf = (wall: string) => `refilledForPhotos:${wall}`;

/**
 * The core's `RefillMarks` on the content database: which friends' walls were pulled again, once, for the
 * photo posts an older version of this extension got without bodies (docs/protocol.md §7.6).
 */
export function createIdbRefillMarks(db: ContentDb): RefillMarks {
  return {
    needed: async (wall) => (await db.get('meta', keyOf(wall)))?.value !== true,
    done: async (wall) => void (await db.put('meta', { key: keyOf(wall), value: true })),
  };
}
