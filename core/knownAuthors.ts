import { bytesEqual } from './bytes';
import { isCanonicalHandle } from './handle';
import type { Identity } from './identity';
import type { FriendRecord } from './replica';
import { type Result, fail, ok } from './result';
import type { KeyStatement } from './rotation';

/**
 * The authors whose keys a reader knows for itself (docs/protocol.md §5.4 rule 9, §6.1): its own
 * identity and each friend it has pinned, with every key of their verified rotation history.
 * Any other author's key is known only from the wall owner's seal.
 */
export type KnownAuthors = ReadonlyMap<string, readonly Uint8Array[]>;

/** The current key and every key of its history (which was verified when it was stored). */
export function keysOf(current: Uint8Array, rotations: readonly KeyStatement[], recoveredFrom?: Uint8Array): Uint8Array[] {
  const keys = [current];
  // A confirmed recovery keeps the lost key as the friend's until its statement joins the history.
  if (recoveredFrom && !bytesEqual(recoveredFrom, current)) keys.push(recoveredFrom);
  for (const s of rotations) {
    for (const key of [s.oldKey, s.newKey]) if (!keys.some((k) => bytesEqual(k, key))) keys.push(key);
  }
  return keys;
}

export function knownAuthors(self: Pick<Identity, 'handle' | 'publicKey' | 'rotations'>, friends: readonly FriendRecord[]): KnownAuthors {
  const known = new Map<string, Uint8Array[]>();
  for (const f of friends) known.set(f.handle, keysOf(f.key, f.rotations, f.recoveredFrom));
  known.set(self.handle, keysOf(self.publicKey, self.rotations));
  return known;
}

/**
 * An entry's author must be a canonical handle, and an author the reader knows must have signed
 * with one of its keys: a wall owner's seal cannot make the reader or a pinned friend say anything.
 */
export function checkAuthor(known: KnownAuthors, author: string, authorKey: Uint8Array): Result<void> {
  if (!isCanonicalHandle(author)) return fail('its author is not a valid handle');
  const keys = known.get(author);
  if (keys && !keys.some((k) => bytesEqual(k, authorKey))) return fail(`it is signed in @${author}'s name with a key that is not theirs`);
  return ok(undefined);
}
