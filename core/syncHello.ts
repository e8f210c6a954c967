import { bytesEqual } from './bytes';
import type { ErrorCode, PeerMessage } from './messages';
import type { FriendRecord } from './replica';
import { genesisOfFriend, isRetiredKey, mergeHistory } from './keyHistory';
import { type KeyStatement, followsFromPinned, verifyRotationChain } from './rotation';

type Hello = Extract<PeerMessage, { type: 'hello' }>;

/** What a friend's `hello` means for this side (docs/protocol.md §7.2, §4.2). */
export type HelloVerdict =
  | { ok: true; genesis: Uint8Array; rotation: { key: Uint8Array; rotations: KeyStatement[] } | null }
  | { ok: false; code: ErrorCode; reason: string; keyChanged: boolean };

/**
 * Checks the identity a friend presents against the pinned one: the claimed handle, the key
 * history, and whether the key follows from the pin (a rotation to adopt) or is a new identity.
 */
export function judgeHello(me: string, peer: string, friend: FriendRecord | null, m: Hello): HelloVerdict {
  const refuse = (code: ErrorCode, reason: string, keyChanged = false): HelloVerdict => ({ ok: false, code, reason, keyChanged });
  if (m.handle !== peer) return refuse('wrong_peer', `Expected @${peer}, but the other side says it is @${m.handle}.`);
  if (!friend) return refuse('not_friends', `@${me} and @${peer} are not friends.`);
  const chain = verifyRotationChain(peer, m.rotations, m.key);
  if (!chain.ok) return refuse('bad_auth', `@${peer}'s key history is invalid: ${chain.reason}.`);
  if (!followsFromPinned(peer, friend.key, m.key, m.rotations)) {
    // A key the friend itself retired (e.g. a displaced device that missed the rotation) is no
    // new identity to accept: refuse it without asking the user.
    // The key a confirmed recovery replaced is retired too (§8).
    if (isRetiredKey(friend, m.key)) {
      return refuse('key_changed', `@${peer} connected with a key they have since replaced; use the device with their current key.`);
    }
    return refuse('key_changed', `@${peer} presented a new key that the pinned key did not sign.`, true);
  }
  // A `hello` shows the history after the friend's last recovery (§4.2); the pin keeps what came before.
  const history = mergeHistory(friend, m.rotations);
  if (!friend.recoveredFrom && history.length > m.rotations.length && !verifyRotationChain(peer, history, m.key).ok) {
    return refuse('bad_auth', `@${peer}'s key history does not continue the one you confirmed.`);
  }
  const rotated = !bytesEqual(friend.key, m.key) || history.length > friend.rotations.length;
  const genesis = genesisOfFriend({ key: m.key, rotations: history, recoveredFrom: friend.recoveredFrom });
  return { ok: true, genesis, rotation: rotated ? { key: m.key, rotations: history } : null };
}
