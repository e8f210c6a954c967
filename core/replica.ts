import type { FeedChange } from './feed';
import type { Result } from './result';
import type { KeyStatement } from './rotation';
import type { SignedEntry } from './entry';
import type { SealedEntry } from './seal';

export type { SignedEntry };

/** What a replica knows about one wall: its head and which owner key seals the next entry. */
export type WallState = {
  wall: string;
  /** Highest sequence number held; 0 for an empty wall. */
  seq: number;
  /** Hash of the seal at `seq` (the next entry's `prev`); 32 zero bytes when empty. */
  sealHash: Uint8Array;
  /** The key that sealed entry 1. */
  genesisKey: Uint8Array;
  /** The key that seals entry `seq + 1` (changes at each `rotate` entry). */
  currentKey: Uint8Array;
  /** A `goodbye` entry was seen: the wall takes no more entries. */
  closed: boolean;
};

/**
 * A sealed entry as a replica holds it. `tombstoned` entries have had their body dropped by a delete.
 * `via` names the friend it came from when that friend is not the wall's owner (a relay, §7.5).
 */
export type StoredEntry = SealedEntry & { id: string; receivedAt: number; tombstoned: boolean; via?: string };

/**
 * One atomic change to one wall, computed by `planIngest` and applied by `Replica.commit`:
 * all of it or nothing, and only if the wall is still at `expectedSeq` (compare-and-set).
 */
export type WallWrite = {
  wall: string;
  expectedSeq: number;
  state: WallState;
  append: StoredEntry[];
  /** Bodies that arrived late for entries already held without one. */
  fillBodies: { id: string; body: Uint8Array }[];
  /** Entries whose body a delete drops (the deleted entry and its edits); they become tombstoned. */
  tombstone: string[];
  /** What the write does to a feed index, in order (the feed rules live in ./feed.ts only). */
  feed: FeedChange[];
  /**
   * Every entry of the write can be fetched again from a friend (a pulled batch): storage may report
   * it committed before it reaches the disk. Still all or nothing. One's own posts never are.
   */
  refetchable?: boolean;
  /**
   * A fork's repair (docs/protocol.md §8 Forks): the entries from this position on are dropped before
   * `append`, which then starts here. The write still applies only if the wall is at `expectedSeq`.
   */
  dropFrom?: number;
};

/**
 * Thrown by a replica whose storage is full (IndexedDB's `QuotaExceededError`); nothing of the
 * write stays. A typed value, so callers tell it apart without matching sentences.
 */
export class StorageFullError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the storage is full', options);
    this.name = 'StorageFullError';
  }
}

/** A befriended handle and its pinned key (docs/protocol.md §4.3). */
export type FriendRecord = {
  handle: string;
  key: Uint8Array;
  /** The key history the friend presented; its first old key anchors the friend's wall. */
  rotations: KeyStatement[];
  /**
   * The key pinned before the user confirmed the friend's recovery to `key` (§8, version 5): set until the
   * recovery entry arrives and joins `rotations`. The wall copy, sealed by this key's chain, is kept.
   */
  recoveredFrom?: Uint8Array;
  since: number;
};

/** An entry written for someone else's wall, waiting for its owner to seal it. */
export type OutboxItem = { id: string; entry: SignedEntry; queuedAt: number };

/**
 * Storage of a peer's replica: its own wall, its friends' walls, friends and outbox.
 * Async and transaction-shaped so an IndexedDB implementation can follow the in-memory one.
 * Returned values are copies: mutating them never changes the store.
 */
export interface Replica {
  wallState(wall: string): Promise<WallState | null>;
  /** Entries with `seq > afterSeq` in sequence order, at most `limit`. */
  entriesAfter(wall: string, afterSeq: number, limit: number): Promise<StoredEntry[]>;
  entryById(wall: string, id: string): Promise<StoredEntry | null>;
  /** Entries of `wall` whose header targets `targetId` (comments, likes, edits, deletes). */
  entriesTargeting(wall: string, targetId: string): Promise<StoredEntry[]>;
  /** Applies a write atomically; `{ ok: false, reason: 'conflict' }` if the wall moved past `expectedSeq`. */
  commit(write: WallWrite): Promise<Result<void>>;
  /** Forgets a wall entirely (after unfriending). */
  dropWall(wall: string): Promise<void>;

  friend(handle: string): Promise<FriendRecord | null>;
  friends(): Promise<FriendRecord[]>;
  putFriend(friend: FriendRecord): Promise<void>;
  removeFriend(handle: string): Promise<void>;

  /** Items in the order they were queued (it is the order the owner seals them in, so a later edit wins). */
  outbox(wall: string): Promise<OutboxItem[]>;
  addToOutbox(wall: string, item: OutboxItem): Promise<void>;
  removeFromOutbox(wall: string, ids: readonly string[]): Promise<void>;

  /** True after an identity restore until the own wall has been fetched back from a friend (§8). */
  recovering(): Promise<boolean>;
  setRecovering(value: boolean): Promise<void>;
}
