import { decodeBody } from './body';
import { bytesEqual } from './bytes';
import type { ConfirmedRecovery } from './ingest';
import { genesisOfFriend } from './keyHistory';
import { historyOfWall } from './recoveryEntry';
import type { FriendRecord, Replica, StoredEntry, WallState } from './replica';
import { verifyRotationChain } from './rotation';

type Pin = Pick<FriendRecord, 'key' | 'rotations' | 'recoveredFrom'>;

/**
 * Whether this reader learns a friend's key history from the friend's own wall (docs/protocol.md §8
 * "Without the key", §4.2): its pin starts after a recovery it never saw (it befriended the friend
 * afterwards, or took the new key as a new identity), so the pinned history does not reach the key that
 * sealed entry 1. Only ever for the wall of the friend at the other end of an authenticated session,
 * never a relayed one: the owner is the authority on its own wall. `held` is the copy held so far.
 */
export function learnsHistory(pin: Pin, held: WallState | null, firstWallKey: Uint8Array | undefined): boolean {
  if (pin.recoveredFrom) return false; // a confirmed recovery: rule 10 as usual
  const genesis = genesisOfFriend(pin);
  if (held && held.seq > 0) return !bytesEqual(held.genesisKey, genesis);
  return firstWallKey !== undefined && !bytesEqual(firstWallKey, genesis);
}

/** The keys of a pin's history: a wall being learned may recover only before it reaches one of them. */
export function learningRecovery(pin: Pin): ConfirmedRecovery {
  return { before: [pin.key, ...pin.rotations.flatMap((s) => [s.oldKey, s.newKey])] };
}

/**
 * After entries of a wall being learned were stored: once the wall's key chain reached where the pin's
 * history starts, the statements before it join the pin's history, so later sessions and relays anchor
 * the wall at its first key and verify it as usual. Returns whether the pin changed.
 */
export async function adoptLearnedHistory(replica: Replica, handle: string, stored: readonly StoredEntry[]): Promise<boolean> {
  const pin = await replica.friend(handle);
  if (!pin || pin.recoveredFrom) return false;
  const start = genesisOfFriend(pin);
  const reaches = stored.some((e) => {
    if (e.header.kind !== 'rotate' || !e.body) return false;
    const body = decodeBody('rotate', e.body);
    return body.ok && body.value.kind === 'rotate' && bytesEqual(body.value.body.newKey, start);
  });
  if (!reaches) return false;
  const wall = await historyOfWall(replica, handle);
  const upTo = wall.findLastIndex((s) => bytesEqual(s.newKey, start));
  const history = [...wall.slice(0, upTo + 1), ...pin.rotations];
  const chain = verifyRotationChain(handle, history, pin.key);
  const state = await replica.wallState(handle);
  if (!chain.ok || !state || !bytesEqual(chain.value.genesis, state.genesisKey)) return false;
  await replica.putFriend({ ...pin, rotations: history });
  return true;
}
