import { toHex } from './bytes';
import type { FeedChange } from './feed';
import { type Result, fail, ok } from './result';
import type { Replica, StoredEntry, WallState } from './replica';

const copy = <T>(value: T): T => structuredClone(value);

/** What a fork's repair writes after the entries it keeps: the new entries, the old ones it tombstoned, the feed. */
export type ForkOverlayWrite = { state: WallState; append: StoredEntry[]; tombstone: string[]; feed: FeedChange[] };

/**
 * `wall` as it stood before position `from` (docs/protocol.md §8 Forks), with writes held in memory on top:
 * the repair checks the kept branch and re-seals the other one here with the usual rules (`planIngest`,
 * `Replica.commit`), and only the result is written to `base`, in one write. Other walls read through.
 * Null when `base` does not hold `wall` up to `from`.
 */
export async function createForkOverlay(base: Replica, wall: string, from: number): Promise<(Replica & { written(): ForkOverlayWrite }) | null> {
  const held = await base.wallState(wall);
  const at = (await base.entriesAfter(wall, from - 1, 1))[0];
  if (!held || !at || at.seq !== from) return null;
  // By rule 4 of §5.4 the entry at `from` names the key current before it, and its `prev` the seal before it.
  let state: WallState = { ...held, seq: from - 1, sealHash: at.prev, currentKey: at.header.wallKey, closed: false };
  const added: StoredEntry[] = [];
  const addedById = new Map<string, StoredEntry>();
  const changedBefore = new Map<string, StoredEntry>(); // entries before `from` this overlay tombstoned
  const tombstone: string[] = [];
  const feed: FeedChange[] = [];
  const before = (e: StoredEntry) => changedBefore.get(e.id) ?? e;

  return {
    ...base,
    async wallState(w) {
      return w === wall ? copy(state) : base.wallState(w);
    },
    async entriesAfter(w, afterSeq, limit) {
      if (w !== wall) return base.entriesAfter(w, afterSeq, limit);
      const fromBase = afterSeq < from - 1 ? (await base.entriesAfter(w, afterSeq, Math.min(limit, from - 1 - afterSeq))).map(before) : [];
      return copy([...fromBase, ...added.filter((e) => e.seq > afterSeq)].slice(0, Math.max(0, limit)));
    },
    async entryById(w, id) {
      if (w !== wall) return base.entryById(w, id);
      const found = addedById.get(id) ?? (await base.entryById(w, id));
      if (!found) return null;
      return copy(found.seq >= from && !addedById.has(id) ? null : before(found));
    },
    async entriesTargeting(w, targetId) {
      if (w !== wall) return base.entriesTargeting(w, targetId);
      const fromBase = (await base.entriesTargeting(w, targetId)).filter((e) => e.seq < from).map(before);
      return copy([...fromBase, ...added.filter((e) => e.header.target && toHex(e.header.target) === targetId)]);
    },
    async commit(write): Promise<Result<void>> {
      if (write.wall !== wall || write.dropFrom !== undefined) return fail('a fork repair writes one wall');
      if (write.expectedSeq !== state.seq) return fail('conflict');
      if (write.append.some((e, i) => e.seq !== state.seq + i + 1)) return fail('append is not contiguous');
      for (const e of write.append.map(copy)) {
        added.push(e);
        addedById.set(e.id, e);
      }
      for (const { id, body } of write.fillBodies) {
        const e = addedById.get(id);
        if (e && !e.tombstoned) e.body = body.slice();
      }
      for (const id of write.tombstone) {
        const mine = addedById.get(id);
        if (mine) {
          mine.body = null;
          mine.tombstoned = true;
          continue;
        }
        const old = await base.entryById(wall, id);
        if (old && old.seq < from) {
          changedBefore.set(id, { ...before(old), body: null, tombstoned: true });
          tombstone.push(id);
        }
      }
      feed.push(...write.feed);
      state = copy(write.state);
      return ok(undefined);
    },
    written: () => copy({ state, append: added, tombstone, feed }),
  };
}
