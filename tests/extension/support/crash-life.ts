import { decodeMessage } from '@/core/messages';
import type { MediaDeps } from '@/core/syncMedia';
import { createSyncSession, type SyncSession } from '@/core/syncSession';
import { createMemoryTransportPair, type Transport } from '@/core/transport';
import type { ContentDb } from '@/platform/content-db';
import { createFaultSwitch, type FaultPlan } from '@/platform/social/fault-switch';
import { createIdbMediaStore } from '@/platform/social/idb-media-store';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { deps, type User } from '../../core/support/world';

/** How one life of a reader's peer host ended: whether the fault struck, and the afterSeq of each of its `want`s of the wall pulled. */
export type Life = { struck: boolean; wants: number[] };

/**
 * One life of `reader`'s peer host: its replica (and photo store, with `photos`) on `db` with a fault
 * switch holding `plan`, one session with `owner`, run until both sides are quiet or the fault struck
 * (then the process is taken as killed: the caller closes `db` and opens it again). The wants recorded are
 * those of `options.wall`: the owner's wall, unless the reader restores its own from the owner (§8).
 */
export async function life(owner: User, reader: User, db: ContentDb, plan: FaultPlan | null, options: { photos?: boolean; wall?: string } = {}): Promise<Life> {
  let struck = false;
  let onStruck = (): void => undefined;
  const strike = new Promise<void>((resolve) => (onStruck = resolve));
  const faults = createFaultSwitch(() => plan, () => ((struck = true), onStruck()));
  const replica = createIdbReplica(db, faults);
  const wall = options.wall ?? owner.identity.handle;
  await replica.putFriend((await reader.replica.friend(owner.identity.handle))!);
  const wants: number[] = [];
  const [ta, tb] = createMemoryTransportPair((frame, from) => {
    const m = decodeMessage(frame);
    if (from === 'b' && m.ok && m.value.type === 'want' && m.value.wall === wall) wants.push(m.value.afterSeq);
    return [frame];
  });
  const side = (u: User, peer: User, transport: Transport, rep = u.replica, media?: MediaDeps): SyncSession =>
    createSyncSession({
      replica: rep, identity: u.identity, peer: peer.identity.handle, transport, localFingerprint: `fp-${u.identity.handle}`,
      remoteFingerprint: `fp-${peer.identity.handle}`, ...deps(u), relay: u.relay, ...(media ? { media } : {}),
    });
  const sa = side(owner, reader, ta, owner.replica, options.photos ? owner.media : undefined);
  const sb = side(reader, owner, tb, replica, options.photos ? { store: createIdbMediaStore(db) } : undefined);
  sa.start();
  sb.start();
  const quiet = () => Promise.race([Promise.all([sa.idle(), sb.idle()]), strike]);
  for (let round = 0; round < 10_000 && !struck; round++) {
    await quiet();
    await new Promise((r) => setImmediate(r));
    if (!struck && sa.settled() && sb.settled()) {
      await quiet();
      if (sa.settled() && sb.settled()) return { struck, wants };
    }
  }
  if (!struck) throw new Error('the catch-up did not settle');
  return { struck, wants };
}
