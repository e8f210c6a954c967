import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { decodeBody } from '@/core/body';
import type { SignedEntry } from '@/core/entry';
import type { MediaRef } from '@/core/media';
import { feedChangesOfAppend } from '@/core/feed';
import type { FriendRecord, OutboxItem, StoredEntry, WallState } from '@/core/replica';
import type { RelayMessage } from '@/core/relayMessage';
import type { RotationStatement } from '@/core/rotation';

/**
 * Content lives in IndexedDB on the extension origin, one database per signed-in handle so
 * accounts never mix. The peer host is its only writer. The schema is versioned: each
 * version adds one migration step below and never edits an older one.
 */
export const CONTENT_DB_VERSION = 6;

export interface ContactV1 {
  handle: string;
  addedAt: number;
}

/** This account's signing identity (docs/protocol.md §4.1); the secret key never leaves the device. */
export interface IdentityV2 {
  handle: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  rotations: RotationStatement[];
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
}

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

/** The latest profile a wall's owner published (`seq` is its entry's), kept in step with the wall's log. */
export interface ProfileRecordV5 {
  wall: string;
  seq: number;
  displayName: string;
  about: string;
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

export interface ContentSchemaV1 extends DBSchema {
  contacts: { key: string; value: ContactV1 };
}

/** Version 3 drops the first milestone's contacts: friends replaced them and no page read them. */
export interface ContentSchemaV3 extends DBSchema {
  identity: { key: string; value: IdentityV2 };
  walls: { key: string; value: WallState };
  entries: {
    key: [string, number];
    value: EntryRecordV2;
    indexes: { byId: [string, string]; byTarget: [string, string] };
  };
  feed: { key: string; value: FeedItemV2; indexes: { byTime: [number, number, string]; byWall: [string, number, number, string] } };
  friends: { key: string; value: FriendRecord };
  outbox: { key: [string, string]; value: OutboxRecordV2; indexes: { byWall: string } };
  requests: { key: string; value: FriendRequestV2 };
  relayOutbox: { key: string; value: RelayOutboxItemV2 };
  blocked: { key: string; value: BlockedV2 };
  progress: { key: string; value: PeerProgressV2 };
  meta: { key: string; value: MetaV2 };
}
export interface ContentSchemaV2 extends ContentSchemaV3 {
  contacts: { key: string; value: ContactV1 };
}
/** Version 4 adds relaying (protocol version 2): passes, revocation lists, carried submissions and when each wall was last brought up to date. */
export interface ContentSchemaV4 extends ContentSchemaV3 {
  passes: { key: string; value: PassRecordV4 };
  issuedPasses: { key: string; value: PassRecordV4 };
  revocations: { key: string; value: RevocationsRecordV4 };
  carried: { key: string; value: CarriedRecordV4; indexes: { byWall: [string, number]; byBytes: number; byAuthor: string; byTime: number } };
  wallSync: { key: string; value: WallSyncV4 };
}
/** Version 5 adds conversations: the names walls publish and one's own entries their owners refused. */
export interface ContentSchemaV5 extends ContentSchemaV4 {
  profiles: { key: string; value: ProfileRecordV5 };
  rejections: { key: string; value: RejectionRecordV5; indexes: { byTime: number } };
}
/** Version 6 adds photos (protocol version 4): files by hash, their chunks, and which entries refer to them. */
export interface ContentSchemaV6 extends ContentSchemaV5 {
  mediaFiles: { key: string; value: MediaFileV6; indexes: { byStatus: string } };
  mediaChunks: { key: [string, number]; value: MediaChunkV6 };
  mediaUses: { key: [string, string, string, number]; value: MediaUseV6; indexes: { byName: string } };
}
export type ContentSchema = ContentSchemaV6;
export type ContentDb = IDBPDatabase<ContentSchema>;

type UpgradeTx = IDBPTransaction<ContentSchema, StoreNames<ContentSchema>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<ContentSchema>, tx: UpgradeTx) => void;

/** `migrations[n]` upgrades a database from version n − 1 to n. */
export const migrations: Record<number, Migration> = {
  1: (db) => {
    db.createObjectStore('contacts' as never, { keyPath: 'handle' });
  },
  // Friends, walls and sync (issue 5). Only adds stores: version 1 data (contacts) stays as it is.
  2: (db) => {
    db.createObjectStore('identity', { keyPath: 'handle' });
    db.createObjectStore('walls', { keyPath: 'wall' });
    const entries = db.createObjectStore('entries', { keyPath: ['wall', 'seq'] });
    entries.createIndex('byId', ['wall', 'id'], { unique: true });
    entries.createIndex('byTarget', ['wall', 'target']);
    const feed = db.createObjectStore('feed', { keyPath: 'id' });
    feed.createIndex('byTime', ['shownAt', 'seq', 'id']);
    feed.createIndex('byWall', ['wall', 'shownAt', 'seq', 'id']);
    db.createObjectStore('friends', { keyPath: 'handle' });
    const outbox = db.createObjectStore('outbox', { keyPath: ['wall', 'id'] });
    outbox.createIndex('byWall', 'wall');
    db.createObjectStore('requests', { keyPath: 'handle' });
    db.createObjectStore('relayOutbox', { keyPath: 'id' });
    db.createObjectStore('blocked', { keyPath: 'handle' });
    db.createObjectStore('progress', { keyPath: 'handle' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  3: (db) => {
    // `contacts` is no longer in the schema's types; older databases still hold the store.
    if (db.objectStoreNames.contains('contacts' as never)) db.deleteObjectStore('contacts' as never);
  },
  // Relaying (docs/protocol.md §7.5). Only adds stores. `byBytes` lets the carried totals be summed
  // from index keys alone, without reading every carried entry.
  4: (db) => {
    db.createObjectStore('passes', { keyPath: 'wall' });
    db.createObjectStore('issuedPasses', { keyPath: 'reader' });
    db.createObjectStore('revocations', { keyPath: 'wall' });
    const carried = db.createObjectStore('carried', { keyPath: 'id' });
    carried.createIndex('byWall', ['wall', 'order']);
    carried.createIndex('byBytes', 'bytes');
    carried.createIndex('byAuthor', 'entry.header.author');
    carried.createIndex('byTime', 'carriedAt');
    db.createObjectStore('wallSync', { keyPath: 'wall' });
  },
  // Conversations (issue 10). Adds stores, and fills `profiles` from the logs already held: a friend
  // on a newer Peerwall may have published a profile this one stored without reading it.
  5: (db, tx) => {
    db.createObjectStore('profiles', { keyPath: 'wall' });
    db.createObjectStore('rejections', { keyPath: 'id' }).createIndex('byTime', 'at');
    // An error aborts the upgrade: the database stays at version 4 and opening it fails loudly.
    backfillProfiles(tx).catch(() => tx.abort());
  },
  // Photos (issue 12). Only adds stores. Uses are keyed wall first, so a wall's or an entry's uses are
  // one key range; `byName` finds whether anything still refers to a file.
  6: (db) => {
    db.createObjectStore('mediaFiles', { keyPath: 'name' }).createIndex('byStatus', 'status');
    db.createObjectStore('mediaChunks', { keyPath: ['name', 'index'] });
    db.createObjectStore('mediaUses', { keyPath: ['wall', 'entry', 'name', 'thumbnail'] }).createIndex('byName', 'name');
  },
};

/** Every stored `profile` entry with a body moves `profiles` as a newly stored one would (core/feed.ts). */
async function backfillProfiles(tx: UpgradeTx): Promise<void> {
  const profiles = tx.objectStore('profiles');
  let cursor = await tx.objectStore('entries').openCursor();
  while (cursor) {
    const record = cursor.value;
    const body = record.header.kind === 'profile' && record.body ? decodeBody('profile', record.body) : null;
    for (const change of body?.ok ? feedChangesOfAppend(record, body.value) : []) {
      if (change.op !== 'profile') continue;
      const { op: _op, ...profile } = change;
      if (((await profiles.get(profile.wall))?.seq ?? 0) < profile.seq) await profiles.put(profile);
    }
    cursor = await cursor.continue();
  }
}

/** Every key that starts with `prefix`: arrays sort after every string and number in IndexedDB's key order. */
export const keysUnder = (...prefix: (string | number)[]): IDBKeyRange => IDBKeyRange.bound(prefix, [...prefix, []]);

export function contentDbName(handle: string): string {
  return `peerwall-${handle}`;
}

export async function openContentDb(name: string, version = CONTENT_DB_VERSION): Promise<ContentDb> {
  let failure: Error | null = null;
  try {
    return await openDB<ContentSchema>(name, version, {
      upgrade(db, oldVersion, newVersion, tx) {
        tx.done.catch(() => undefined); // an abort below is reported through `failure`
        try {
          for (let step = oldVersion + 1; step <= (newVersion ?? version); step += 1) {
            const migrate = migrations[step];
            // A missing step would leave a half-built schema: fail loudly instead.
            if (!migrate) throw new Error(`No migration to content database version ${step}.`);
            migrate(db, tx);
          }
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
          tx.abort(); // the database stays at its old version with its data
        }
      },
    });
  } catch (error) {
    if (failure) throw failure;
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new Error(`The content database "${name}" was written by a newer Peerwall; update the extension.`, {
        cause: error,
      });
    }
    throw error;
  }
}
