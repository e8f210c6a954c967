import { decodeBody } from './body';
import { bytesEqual } from './bytes';
import type { Identity } from './identity';
import type { ConfirmedRecovery } from './ingest';
import { isRetiredKey } from './keyHistory';
import { readdressOutbox } from './outboxReaddress';
import { historyOfWall } from './recoveryEntry';
import type { FriendRecord, OutboxItem, Replica, StoredEntry } from './replica';
import { type Result, fail, ok } from './result';

/**
 * The user confirmed a friend's `recover-request` (docs/protocol.md §4.3, §8, version 5): the new key is
 * pinned with the old pin as `recoveredFrom`, the key history and the wall copy are KEPT (the recovery
 * entry will continue the wall), and what is queued for the friend is re-signed for the new key.
 */
export async function confirmRecovery(replica: Replica, identity: Identity, handle: string, newKey: Uint8Array): Promise<Result<OutboxItem[]>> {
  const friend = await replica.friend(handle);
  if (!friend) return fail(`@${handle} is not your friend.`);
  if (bytesEqual(friend.key, newKey)) return ok([]);
  // A retired key (a lost laptop, §8) asking back is a thief's request: the real owner would be locked out.
  if (isRetiredKey(friend, newKey)) return fail(`@${handle} no longer uses that key; it cannot be confirmed as their new one.`);
  // Confirming twice (a second lost key before the first recovery arrived) still continues the copy held.
  const recoveredFrom = friend.recoveredFrom ?? friend.key;
  await replica.putFriend({ ...friend, key: newKey, recoveredFrom });
  return ok(await readdressOutbox(replica, identity, handle, newKey));
}

/** The recovery this reader confirmed for a friend's wall, if one waits for its entry (§5.4 rule 10). */
export function confirmedRecoveryOf(friend: FriendRecord): ConfirmedRecovery | undefined {
  return friend.recoveredFrom ? { newKey: friend.key, lostKey: friend.recoveredFrom } : undefined;
}

/**
 * After a friend's entries were stored: a recovery entry among them (accepted under rule 10) joins the
 * pin's history, whose last key is then the pinned one again, and the pin no longer waits for it.
 */
export async function adoptRecoveries(replica: Replica, friend: FriendRecord, stored: readonly StoredEntry[]): Promise<void> {
  if (!friend.recoveredFrom) return;
  for (const e of stored) {
    if (e.header.kind !== 'rotate' || !e.body) continue;
    const body = decodeBody('rotate', e.body);
    if (!body.ok || body.value.kind !== 'rotate' || body.value.body.format !== 2 || !bytesEqual(body.value.body.newKey, friend.key)) continue;
    const current = await replica.friend(friend.handle);
    if (!current?.recoveredFrom) return;
    const { recoveredFrom: _adopted, ...rest } = current;
    await replica.putFriend({ ...rest, rotations: [...current.rotations, body.value.body] });
    return;
  }
}

/**
 * The same, redone from the wall held (a crash between storing the recovery entry and updating the pin,
 * §8 step 4): when the copy's key chain already moved to the pinned key from another genesis, the recovery
 * statement to it joins the pin's history. Returns the pin as it is now.
 */
export async function redoAdoption(replica: Replica, friend: FriendRecord): Promise<FriendRecord> {
  if (!friend.recoveredFrom) return friend;
  const state = await replica.wallState(friend.handle);
  if (!state || bytesEqual(state.genesisKey, friend.key) || !bytesEqual(state.currentKey, friend.key)) return friend;
  const statement = (await historyOfWall(replica, friend.handle)).findLast((s) => s.format === 2 && bytesEqual(s.newKey, friend.key));
  if (!statement) return friend;
  const { recoveredFrom: _adopted, ...rest } = friend;
  const adopted = { ...rest, rotations: [...friend.rotations, statement] };
  await replica.putFriend(adopted);
  return adopted;
}
