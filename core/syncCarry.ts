import { bytesEqual, encodeWith, toHex } from './bytes';
import { decodeBody } from './body';
import { bodyMatches, entryId, type SignedEntry, verifyAuthor, writeSignedEntry } from './entry';
import type { EntryKind } from './entryKind';
import { LIMITS } from './limits';
import type { SubmitResult } from './messages';
import type { RelayStore } from './relay';
import type { Replica } from './replica';
import { type Result, fail, ok } from './result';
import { packCarry, packSubmits } from './syncFrames';

/**
 * The kinds a friend may carry (docs/protocol.md §7.5). Their order on the wall does not change what
 * it shows; a like/unlike, edit or delete carried by two friends could reach the owner swapped.
 */
export const CARRIED_KINDS: readonly EntryKind[] = ['wallPost', 'comment'];

export type CarryDeps = {
  replica: Replica;
  store: RelayStore;
  peer: string;
  peerKey: Uint8Array;
  now: () => number;
  sendFrame(frame: Uint8Array): void;
  /** Whether the friend can read the entry's body in the negotiated version (a photo post needs 4, §7.6). */
  readable(entry: SignedEntry): boolean;
};

/**
 * Carried submissions in one session: handing the friend what this side wrote for walls it holds,
 * taking what the friend wrote for walls this side holds (bounded per author and in all, checked
 * cheapest first), and delivering what this side carries when the friend is the wall's owner.
 */
export function createCarry(d: CarryDeps) {
  const { replica, store, peer } = d;
  const inFlight = new Set<string>();
  const handedOver = new Set<string>();

  /** Whether `entry` is the friend's own, as signed, of a kind that may be carried, for `wall`. */
  function genuine(wall: string, entry: SignedEntry): boolean {
    const h = entry.header;
    if (h.wall !== wall || h.author !== peer || !bytesEqual(h.authorKey, d.peerKey) || !CARRIED_KINDS.includes(h.kind)) return false;
    return !!entry.body && bodyMatches(h, entry.body) && decodeBody(h.kind, entry.body).ok && verifyAuthor(entry);
  }

  return {
    /** Gives the friend, a proven holder of `wall`, what this side's outbox has for it that may be carried. */
    async handOver(wall: string): Promise<void> {
      const items = (await replica.outbox(wall)).filter((i) => !handedOver.has(i.id) && CARRIED_KINDS.includes(i.entry.header.kind) && d.readable(i.entry));
      for (const i of items) handedOver.add(i.id);
      for (const frame of packCarry(wall, items)) d.sendFrame(frame);
    },

    /** Takes what the friend asks this side to carry to `wall`'s owner; a reason when it is not the friend's own. */
    async take(wall: string, entries: readonly SignedEntry[]): Promise<Result<void>> {
      if (entries.length === 0) return ok(undefined);
      const known = new Set(await store.carriedIds(wall));
      let mine = await store.carriedCount(peer);
      let { count, bytes } = await store.carriedTotals();
      // Cheapest checks first: an entry already carried or sealed, or one there is no room for, costs no signature check.
      for (const entry of entries) {
        const id = entryId(entry.header);
        if (known.has(id) || (await replica.entryById(wall, id))) continue;
        const size = encodeWith(writeSignedEntry, entry).length;
        // Full: the author keeps the entry in its own outbox, so nothing is lost by not taking it.
        if (mine >= LIMITS.carriedPerAuthor || count >= LIMITS.carriedTotal || bytes + size > LIMITS.carriedBytes) return ok(undefined);
        if (!genuine(wall, entry)) return fail(`@${peer} asked to carry an entry that is not theirs as signed, or that may not be carried.`);
        await store.addCarried({ id, wall, entry, bytes: size, carriedAt: d.now() });
        known.add(id);
        mine++;
        count++;
        bytes += size;
      }
      return ok(undefined);
    },

    /** The friend is the owner of what this side carries for it: submit it (once per session until answered). */
    async deliver(): Promise<void> {
      if (inFlight.size > 0) return;
      const items = (await store.carried(peer)).filter((c) => c.carriedAt + LIMITS.passLifetimeMs > d.now() && d.readable(c.entry));
      for (const c of items) inFlight.add(c.id);
      for (const frame of packSubmits(items)) d.sendFrame(frame);
    },

    /** Answers to carried submissions: sealed or refused ends the carrying, deferred keeps it. */
    async answered(results: readonly SubmitResult[]): Promise<void> {
      const done: string[] = [];
      for (const r of results) {
        const id = toHex(r.id);
        if (inFlight.delete(id) && r.status !== 'deferred') done.push(id);
      }
      if (done.length) await store.removeCarried(peer, done);
    },

    /** Entries of `wall` now sealed need no carrying any more. */
    async dropSealed(wall: string): Promise<void> {
      const sealed: string[] = [];
      for (const id of await store.carriedIds(wall)) if (await replica.entryById(wall, id)) sealed.push(id);
      if (sealed.length) await store.removeCarried(wall, sealed);
    },

    clear(): void {
      inFlight.clear();
    },
  };
}
