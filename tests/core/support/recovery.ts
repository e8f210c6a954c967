import { pinFriend } from '../../../core/friendship';
import { confirmRecovery } from '../../../core/recoveryConfirm';
import { createRelayMessage, parseRelayMessage } from '../../../core/relayMessage';
import { deps, type User } from './world';

/** `carol` asks `friend` to restore her wall; the friend confirms it is her; carol pins the friend from the answer. */
export async function askAndConfirm(carol: User, friend: User): Promise<void> {
  const request = createRelayMessage(carol.identity, 'recover-request', friend.identity.handle, {}, deps(carol));
  if (!request.ok) throw new Error(request.reason);
  const received = parseRelayMessage(JSON.parse(JSON.stringify(request.value)), carol.identity.handle, friend.identity.handle);
  if (!received.ok) throw new Error(received.reason);
  const confirmed = await confirmRecovery(friend.replica, friend.identity, carol.identity.handle, carol.identity.publicKey);
  if (!confirmed.ok) throw new Error(confirmed.reason);
  const accept = createRelayMessage(friend.identity, 'friend-accept', carol.identity.handle, { replyTo: received.value.nonce }, deps(friend));
  if (!accept.ok) throw new Error(accept.reason);
  const accepted = parseRelayMessage(JSON.parse(JSON.stringify(accept.value)), friend.identity.handle, carol.identity.handle);
  if (!accepted.ok) throw new Error(accepted.reason);
  await pinFriend(carol.replica, accepted.value, carol.now);
}
