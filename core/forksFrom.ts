import { bytesEqual } from './bytes';
import { entryId } from './entry';
import { forkableAt, forkKey } from './forkKey';
import type { Replica } from './replica';
import { encodeSeal, type SealedEntry, sealOf } from './seal';
import { CONTEXT } from './signing';
import type { Verifier } from './verifier';

/**
 * True when `entries` fork from this side's copy of `wall` (docs/protocol.md §7.3, §8 Forks): the first one
 * at a held position has another id, or the one after the head another `prev`, and the owner's current key
 * as this side knows it (`owner`: the pin, or its own key for its own wall; see `forkKey`) sealed both it
 * and the entry held there. Anything else that does not fit, a branch under a retired or lost key included,
 * is plainly invalid, for `planIngest` to refuse. One read and at most one signature per batch.
 */
export async function forksFrom(replica: Replica, wall: string, entries: readonly SealedEntry[], verifier: Verifier, owner: Uint8Array | null | undefined): Promise<boolean> {
  return (await forkingEntry(replica, wall, entries, verifier, owner)) !== null;
}

/** The entry of `entries` by which they fork from this side's copy of `wall` (`forksFrom`), or null. */
export async function forkingEntry(replica: Replica, wall: string, entries: readonly SealedEntry[], verifier: Verifier, owner: Uint8Array | null | undefined): Promise<SealedEntry | null> {
  const held = await replica.wallState(wall);
  const first = entries[0];
  if (!held || !first || first.seq > held.seq + 1 || first.seq < 1) return null;
  const key = forkKey(held, owner);
  if (!key) return null;
  const mine = await replica.entriesAfter(wall, first.seq - 1, held.seq - first.seq + 2);
  const heldAt = (seq: number) => mine.find((e) => e.seq === seq);
  const differing = entries.find((e) => e.seq <= held.seq + 1 && (e.seq === held.seq + 1 ? !bytesEqual(e.prev, held.sealHash) : heldAt(e.seq)?.id !== entryId(e.header)));
  if (!differing) return null;
  const at = differing.seq === held.seq + 1 ? null : heldAt(differing.seq);
  if (at === undefined || (at && !forkableAt(at, key))) return null;
  const sealed = await verifier.verify(CONTEXT.seal, encodeSeal(sealOf(differing.header, differing.seq, differing.prev)), differing.ownerSig, key);
  return sealed ? differing : null;
}
