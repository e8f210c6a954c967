import { bytesEqual } from './bytes';
import { isRecoveryEntry } from './ingest';
import type { WallState } from './replica';
import type { SealedEntry } from './seal';

/**
 * The only key a side takes a fork of `wall`, or a fork statement of it, under (docs/protocol.md §8 Forks):
 * the owner's current key as this side knows it (`owner`: its pin of the owner, its own key for its own
 * wall), and only while its copy continues under that key. A retired key, a lost one or the key a confirmed
 * recovery replaced (the pin moved on, the copy not yet) gives null: no fork is taken under it.
 */
export function forkKey(held: WallState, owner: Uint8Array | null | undefined): Uint8Array | null {
  return owner && bytesEqual(held.currentKey, owner) ? owner : null;
}

/** True when `key` sealed the entry `at` a reader holds and it is no recovery entry: a position a fork may replace. */
export function forkableAt(at: SealedEntry, key: Uint8Array): boolean {
  return bytesEqual(at.header.wallKey, key) && !isRecoveryEntry(at);
}
