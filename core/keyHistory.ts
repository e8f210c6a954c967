import { bytesEqual } from './bytes';
import type { FriendRecord } from './replica';
import type { KeyStatement, RotationStatement } from './rotation';

const lastRecovery = (history: readonly KeyStatement[]): number => history.findLastIndex((s) => s.format === 2);

/**
 * The part of one's key history a `hello` carries (docs/protocol.md §4.2): the statements after the last
 * recovery, all rotations (format 1), so every version can read the `hello`.
 */
export function helloRotations(history: readonly KeyStatement[]): RotationStatement[] {
  return history.slice(lastRecovery(history) + 1).filter((s): s is RotationStatement => s.format !== 2);
}

/**
 * A friend's whole history from the one stored with its pin and the part its `hello` shows: what was
 * stored up to its last recovery (all of it while a confirmed recovery waits for its statement, when the
 * `hello` starts at the new key) followed by the `hello`'s statements.
 */
export function mergeHistory(friend: Pick<FriendRecord, 'rotations' | 'recoveredFrom'>, presented: readonly RotationStatement[]): KeyStatement[] {
  const kept = friend.recoveredFrom ? friend.rotations : friend.rotations.slice(0, lastRecovery(friend.rotations) + 1);
  return [...kept, ...presented];
}

/**
 * A key the friend no longer holds as far as this reader knows: one of its pinned history before the pinned
 * key, or the key a confirmed recovery replaced (§4.2, §8). Neither a `hello` nor a `recover-request` under
 * it is a new identity: a lost device or a thief with it must not be re-pinned.
 */
export function isRetiredKey(f: Pick<FriendRecord, 'key' | 'rotations' | 'recoveredFrom'>, key: Uint8Array): boolean {
  if (bytesEqual(f.key, key)) return false;
  if (f.recoveredFrom && bytesEqual(f.recoveredFrom, key)) return true;
  return f.rotations.some((s) => bytesEqual(s.oldKey, key) || bytesEqual(s.newKey, key));
}

/** The key that sealed entry 1 of a friend's wall: the first of its history, or the key it recovered from. */
export const genesisOfFriend = (f: Pick<FriendRecord, 'key' | 'rotations' | 'recoveredFrom'>): Uint8Array =>
  f.rotations[0]?.oldKey ?? f.recoveredFrom ?? f.key;

/**
 * Where a reader that holds none of a friend's wall anchors it. After a confirmed recovery with no copy to
 * continue (§8 step 4) the wall may start over at the new key: whichever of the two candidates sealed entry 1.
 */
export function anchorOfFriend(f: Pick<FriendRecord, 'key' | 'rotations' | 'recoveredFrom'>, firstWallKey: Uint8Array | undefined): Uint8Array {
  const genesis = genesisOfFriend(f);
  if (f.recoveredFrom && firstWallKey && bytesEqual(firstWallKey, f.key)) return f.key;
  return genesis;
}

/**
 * The last entry of a wall a friend before version 5 may take (§10): none of one's own wall once it was
 * recovered (such a friend can only have pinned the new key as a new identity's, §4.2), and a friend's wall
 * up to its first recovery entry; null when `history` holds no recovery.
 */
export function readableBeforeRecovery(history: readonly KeyStatement[], ownWall: boolean): number | null {
  const recovery = history.find((s) => s.format === 2);
  return recovery ? (ownWall ? 0 : recovery.atSeq - 1) : null;
}
