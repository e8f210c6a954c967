import { bytesEqual, fromHex } from './bytes';
import type { RelayMessage } from './relayMessage';
import type { Identity } from './identity';
import { type RelayStore, revokeReader } from './relay';
import { readdressOutbox } from './outboxReaddress';
import type { FriendRecord, OutboxItem, Replica } from './replica';
import { type Result, fail, ok } from './result';

/**
 * Pins the key a friend presented in a verified `friend-request` (on accepting it) or
 * `friend-accept` (reply to one's own request) — trust on first use, checkable with the safety number.
 */
export async function pinFriend(replica: Replica, message: RelayMessage, now: () => number): Promise<Result<FriendRecord>> {
  if (message.type !== 'friend-request' && message.type !== 'friend-accept') return fail('only a request or an acceptance befriends');
  const key = fromHex(message.key, 32);
  if (!key) return fail('malformed key');
  const existing = await replica.friend(message.from);
  if (existing && !bytesEqual(existing.key, key)) {
    return fail(`@${message.from} is already your friend with another key; accept the key change first.`);
  }
  const friend: FriendRecord = existing ?? { handle: message.from, key, rotations: [], since: now() };
  await replica.putFriend(friend);
  return ok(friend);
}

/**
 * Ends a friendship locally: forgets the pin, the friend's wall copy and anything queued for it.
 * With relaying (§7.5) it also revokes the friend's reader pass, which then travels with one's
 * wall to every friend who holds it, and forgets the friend's pass and what was carried for it.
 */
export async function unfriend(replica: Replica, handle: string, relay?: { store: RelayStore; owner: Identity; now: number }): Promise<void> {
  const queued = await replica.outbox(handle);
  await replica.removeFromOutbox(handle, queued.map((i) => i.id));
  await replica.removeFriend(handle);
  await replica.dropWall(handle);
  if (!relay) return;
  await revokeReader(relay.store, relay.owner, handle, relay.now);
  await relay.store.dropPass(handle);
  await relay.store.removeCarried(handle, (await relay.store.carried(handle)).map((c) => c.id));
}

/** An `unfriend` relay counts only when signed by the key pinned for its sender. */
export async function isPinnedSender(replica: Replica, message: RelayMessage): Promise<boolean> {
  const friend = await replica.friend(message.from);
  const key = fromHex(message.key, 32);
  return !!friend && !!key && bytesEqual(friend.key, key);
}

/**
 * The user accepted a key change that no rotation statement proves (lost key, §4.2): the new key is
 * pinned as a new identity and the old wall copy is dropped, since the new key cannot continue it.
 * What is queued for the friend is re-signed for the new key; entries that target the dropped wall
 * can never be sealed and come back, oldest first, for their author to be told.
 */
export async function acceptKeyChange(replica: Replica, identity: Identity, handle: string, key: Uint8Array, now: () => number): Promise<OutboxItem[]> {
  await replica.dropWall(handle);
  await replica.putFriend({ handle, key, rotations: [], since: now() });
  return readdressOutbox(replica, identity, handle, key, { oldWallGone: true });
}
