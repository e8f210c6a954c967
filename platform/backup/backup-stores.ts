import type { StoreNames } from 'idb';
import type { ContentSchema } from '../content-db';

/**
 * The content database stores a full backup carries (docs/protocol.md §4.6): all of them but `identity`,
 * which travels as the §4.5 identity export. A store added to the schema must be added here, or its
 * records are not backed up (tests/extension/backup-round-trip.test.ts checks every store).
 */
export const BACKUP_STORES = [
  'walls',
  'entries',
  'feed',
  'profiles',
  'friends',
  'outbox',
  'requests',
  'relayOutbox',
  'blocked',
  'progress',
  'meta',
  'passes',
  'issuedPasses',
  'revocations',
  'carried',
  'wallSync',
  'rejections',
  'mediaFiles',
  'mediaChunks',
  'mediaUses',
] as const satisfies readonly StoreNames<ContentSchema>[];

export type BackupStore = (typeof BACKUP_STORES)[number];

export const isBackupStore = (name: string): name is BackupStore => (BACKUP_STORES as readonly string[]).includes(name);

/** Stores whose records belong to one wall and are replaced with it when the backup's copy is longer. */
export const WALL_STORES = ['entries', 'feed', 'profiles', 'mediaUses', 'wallSync'] as const satisfies readonly BackupStore[];

/** `meta` keys that describe this browser, not the account: never carried. */
export const DEVICE_META_KEYS: readonly string[] = ['recovering', 'recoveryFromFriends', 'recoveryOffered'];
