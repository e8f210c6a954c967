import type { FeedChange } from './feed';
import type { ErrorCode } from './messages';
import type { SignedEntry, StoredEntry } from './replica';
import type { ForkEvent } from './syncForks';

/** What a sync session (syncSession.ts) tells the side that owns it, in the order it happens. */
export type SyncEvent =
  | { type: 'ready'; version: number; safetyNumber: string }
  /** The friend moved to a new key through a valid rotation; the pin was updated. */
  | { type: 'keyRotated'; handle: string; key: Uint8Array }
  /** The friend presented a key that does not follow from the pinned one; the user must decide. */
  | { type: 'keyChanged'; handle: string; key: Uint8Array }
  /**
   * New entries of `wall` were stored; `feed` is what they changed in a feed (new posts, edits,
   * deletes). On one's own wall these are also the friend's submissions this side just sealed
   * (§7.4). `via` is the friend who relayed them when `wall` is neither side's (§7.5).
   */
  | { type: 'wallUpdated'; wall: string; added: StoredEntry[]; feed: FeedChange[]; via: string | null; filled?: StoredEntry[] }
  /**
   * A batch of `wall` was stored: its entries and frame size, and where its time went — from the `want`
   * to the frame being handled (`waitMs`: the friend reading and sending, the network, the queue), decoding
   * and checking it (`checkMs`), and the one storage write (`storeMs`).
   */
  | { type: 'batchStored'; wall: string; entries: number; bytes: number; waitMs: number; checkMs: number; storeMs: number }
  /** This side's copy of `wall` is now as far as the friend's (the owner's, or a relay's). */
  | { type: 'upToDate'; wall: string; seq: number }
  /** The friend showed a reader pass or a revocation list this side did not take (§7.5). */
  | { type: 'relayRefused'; wall: string; reason: string }
  /** The friend holds `wall` up to `seq`: it asked for what follows, or was just sent up to there. */
  | { type: 'peerHolds'; wall: string; seq: number }
  | { type: 'delivered'; wall: string; id: string }
  | { type: 'undeliverable'; wall: string; id: string; reason: string; entry: SignedEntry | null }
  | { type: 'recovered'; seq: number }
  | ForkEvent
  /**
   * `byPeer`: the friend ended it with an `error` frame (a complaint about this side, not bad data
   * from them). `storageFull`: this side's storage refused a write.
   */
  | { type: 'closed'; code: ErrorCode | null; reason: string; byPeer: boolean; storageFull: boolean };
