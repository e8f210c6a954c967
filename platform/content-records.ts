import type { SignedEntry } from '@/core/entry';
import type { MediaRef } from '@/core/media';
import type { OutboxItem, StoredEntry } from '@/core/replica';
import type { RelayMessage } from '@/core/relayMessage';
import type { KeyStatement } from '@/core/rotation';

/**
 * The records of the content database (content-db.ts), one type per shape and the schema version it came
 * in: a changed shape is a new type beside the old one, so each migration step names what it reads.
 */
export interface ContactV1 {
  handle: string;
  addedAt: number;
}

/** This account's signing identity (docs/protocol.md §4.1); the secret key never leaves the device. */
export interface IdentityV2 {
  handle: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  rotations: KeyStatement[];
  createdAt: number;
}

/**
 * A sealed entry of some wall, with the fields its indexes need. `target` is absent when the entry has none.
 * `via` (relaying, protocol version 2) came with `StoredEntry` without a migration: it is optional,
 * and entries stored before it simply came from their owner.
 */
export type EntryRecordV2 = StoredEntry & { wall: string; target?: string };

/**
 * A post or wall post as the merged feed shows it, kept in step with its wall's log in the same
 * transaction. The core's `FeedRow` as stored: its own type, since stored shapes are versioned.
 */
export interface FeedItemV2 {
  id: string;
  wall: string;
  author: string;
  seq: number;
  /** Null while the body has not arrived. */
  text: string | null;
  /** min(createdAt, receivedAt), docs/protocol.md §5.5: a future-dated entry shows when it arrived. */
  shownAt: number;
  edited: boolean;
  /**
   * The friend who relayed it, when not the wall's owner. Added with relaying (version 4) but
   * optional, so rows stored before it need no migration: they came from the owner.
   */
  via?: string;
  /**
   * Its photos (protocol version 4), by file name. Optional like `via`, so rows stored before photos
   * need no migration: posts from then carry none a reader could have.
   */
  photos?: FeedPhotoV2[];
}

/** A photo of a feed row: its files by the hex of their SHA-256, and its alt text. */
export type FeedPhotoV2 = { full: string; thumbnail: string; alt: string };

export type OutboxRecordV2 = OutboxItem & { wall: string };

/** A friend request in either direction, waiting for an answer. */
export interface FriendRequestV2 {
  handle: string;
  direction: 'incoming' | 'outgoing';
  /** The verified request (incoming) or the one we sent (outgoing). */
  message: RelayMessage;
  at: number;
}

/** A relay message we keep until the broker confirms delivery (its own queue is lost on restart). */
export interface RelayOutboxItemV2 {
  id: string;
  to: string;
  body: RelayMessage;
  queuedAt: number;
  /**
   * The broker's last answer: null before any; `accepted` when it delivered or keeps it (it tells
   * only a receiver's friends which); `queued` from older brokers while the receiver is offline;
   * `delivered` for a friend request that reached the receiver but is not answered yet (it stays,
   * see createRelaySender).
   */
  status: null | 'accepted' | 'queued' | 'delivered';
}

export interface BlockedV2 {
  handle: string;
  since: number;
}

/** What this peer knows about a friend's copy of our wall. */
export interface PeerProgressV2 {
  handle: string;
  /** The highest seq of our wall the friend has asked past (it holds up to this). */
  heldSeq: number;
}

export interface MetaV2 {
  key: string;
  value: unknown;
}

/**
 * A friend who unfriended us, until the person dismisses the notice. Kept as a list under the `meta`
 * key `unfriendedBy` (no store of its own, so no schema step); read back through a check, never trusted.
 */
export interface UnfriendedNoticeV5 {
  handle: string;
  at: number;
}

/**
 * A friend presented an identity key their pinned key did not sign (docs/protocol.md §4.2), waiting for
 * the person to accept it. A list under the `meta` key `keyChanges` (no schema step); read back through
 * a check. `replyTo` is the nonce of the friend-request that brought the key, answered once it is accepted.
 */
export interface PendingKeyChangeV6 {
  handle: string;
  /** The new key, 64 lowercase hex. */
  key: string;
  at: number;
  replyTo: string | null;
  /**
   * The friend asked to restore its wall under the new key (`recover-request`, docs/protocol.md §8): accepting
   * confirms the recovery and keeps their wall. Absent in records written before it existed, which read as false.
   */
  recovery?: true;
}

/**
 * A reader pass (docs/protocol.md §7.5): one a friend gave us for their wall (`passes`, by wall) or
 * the one we last gave a friend for ours (`issuedPasses`, by reader). The core's `ReaderPass` as stored.
 */
export interface PassRecordV4 {
  wall: string;
  ownerKey: Uint8Array;
  reader: string;
  readerKey: Uint8Array;
  tag: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  sig: Uint8Array;
}

/** The newest revocation list known for a wall, ours included. The core's `Revocations` as stored. */
export interface RevocationsRecordV4 {
  wall: string;
  ownerKey: Uint8Array;
  issuedAt: number;
  revoked: { tag: Uint8Array; until: number }[];
  sig: Uint8Array;
}

/**
 * A submission we carry for `wall`'s owner: the core's `CarriedItem` plus `order`, its place among
 * the wall's carried items. Items of one carry batch often share `carriedAt` and the owner seals
 * them in the order it gets them, so `order` keeps the order they were carried in, as the
 * in-memory store does.
 */
export interface CarriedRecordV4 {
  id: string;
  wall: string;
  entry: SignedEntry;
  bytes: number;
  carriedAt: number;
  order: number;
}

/** When our copy of a friend's wall was last as far as the copy it came from; `via` a relaying friend, or null. */
export interface WallSyncV4 {
  wall: string;
  at: number;
  via: string | null;
}

/**
 * The latest profile a wall's owner published (`seq` is its entry's), kept in step with the wall's log.
 * `picture` (protocol version 4) is absent from records written before profile pictures, which is what
 * "no picture" reads as, so it needs no migration.
 */
export interface ProfileRecordV5 {
  wall: string;
  seq: number;
  displayName: string;
  about: string;
  picture?: FeedPhotoV2;
}

/** One's own entry a friend refused to seal (it left the outbox), kept until the author dismisses it. */
export interface RejectionRecordV5 {
  id: string;
  wall: string;
  kind: 'wallPost' | 'comment' | 'like' | 'unlike' | 'edit' | 'delete';
  text: string | null;
  reason: string;
  at: number;
}

/**
 * A photo file by SHA-256 (docs/protocol.md §7.6), named by the 64-hex of its hash. `status` is a string
 * rather than a boolean because IndexedDB cannot index booleans; `complete` only after the whole-file hash
 * was checked (or for one's own photo).
 */
export interface MediaFileV6 {
  name: string;
  ref: MediaRef;
  status: 'partial' | 'complete';
}

/** One chunk of a file, kept as it arrives so a transfer resumes from the first missing one after a restart. */
export interface MediaChunkV6 {
  name: string;
  index: number;
  bytes: Uint8Array;
}

/** Entry `entry` of `wall` refers to file `name`, as its thumbnail (1) or full image (0): numbers, since booleans are no keys. */
export interface MediaUseV6 {
  wall: string;
  entry: string;
  name: string;
  thumbnail: 0 | 1;
}
