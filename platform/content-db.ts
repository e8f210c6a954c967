import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { decodeBody } from '@/core/body';
import { feedChangesOfAppend } from '@/core/feed';
import type { FriendRecord, WallState } from '@/core/replica';
import type {
  ContactV1,
  IdentityV2,
  EntryRecordV2,
  FeedItemV2,
  OutboxRecordV2,
  FriendRequestV2,
  RelayOutboxItemV2,
  BlockedV2,
  PeerProgressV2,
  MetaV2,
  PassRecordV4,
  RevocationsRecordV4,
  CarriedRecordV4,
  WallSyncV4,
  ProfileRecordV5,
  RejectionRecordV5,
  MediaFileV6,
  MediaChunkV6,
  MediaUseV6,
} from './content-records';

/**
 * Content lives in IndexedDB on the extension origin, one database per signed-in handle so
 * accounts never mix. The peer host is its only writer. The schema is versioned: each
 * version adds one migration step below and never edits an older one.
 */
export const CONTENT_DB_VERSION = 6;

export type * from './content-records';

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
