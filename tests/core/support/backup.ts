import { createMemoryReplica } from '../../../core/memoryReplica';
import type { Replica } from '../../../core/replica';
import { sealHash, sealOf } from '../../../core/seal';
import type { User } from './world';

/** A copy of `u`'s replica with its own wall as it stood at `upTo` (a backup made then), friends included. */
export async function backup(u: User, upTo: number): Promise<Replica> {
  const me = u.identity.handle;
  const copy = createMemoryReplica();
  const entries = await u.replica.entriesAfter(me, 0, upTo);
  const last = entries.at(-1)!;
  const head = { ...(await u.replica.wallState(me))!, seq: upTo, sealHash: sealHash(sealOf(last.header, last.seq, last.prev)) };
  const written = await copy.commit({ wall: me, expectedSeq: 0, state: head, append: entries, fillBodies: [], tombstone: [], feed: [] });
  if (!written.ok) throw new Error(written.reason);
  for (const f of await u.replica.friends()) await copy.putFriend(f);
  return copy;
}
