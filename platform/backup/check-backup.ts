import { toHex } from '@/core/bytes';
import type { BackupContents } from '@/core/backupFile';
import type { StoredValue } from '@/core/backupValues';
import { isCanonicalHandle } from '@/core/handle';
import { verifyMediaChunk, type MediaRef } from '@/core/media';
import { type Result, fail, ok } from '@/core/result';
import type { ContentSchema } from '../content-db';
import { BACKUP_STORES, isBackupStore, type BackupStore } from './backup-stores';

/** A backup's records by store, each checked to have the keys and shapes its store and the merge rely on. */
export type CheckedBackup = { contents: BackupContents; stores: { [S in BackupStore]: ContentSchema[S]['value'][] } };

type Row = { [key: string]: StoredValue };

const isRow = (v: StoredValue): v is Row => typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
const isText = (v: StoredValue, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isCount = (v: StoredValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isKey32 = (v: StoredValue): boolean => v instanceof Uint8Array && v.length === 32;
const isHex64 = (v: StoredValue): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/** What each store's records must hold: their key fields, and the fields the merge reads. */
const SHAPES: { [S in BackupStore]: (row: Row) => boolean } = {
  walls: (r) => isCanonicalHandle(r.wall) && isCount(r.seq) && isKey32(r.sealHash) && isKey32(r.genesisKey) && isKey32(r.currentKey) && typeof r.closed === 'boolean',
  entries: (r) => isCanonicalHandle(r.wall) && isCount(r.seq) && r.seq > 0 && isHex64(r.id) && isRow(r.header ?? null),
  feed: (r) => isHex64(r.id) && isCanonicalHandle(r.wall) && typeof r.shownAt === 'number' && isCount(r.seq),
  profiles: (r) => isCanonicalHandle(r.wall) && isCount(r.seq),
  friends: (r) => isCanonicalHandle(r.handle) && isKey32(r.key),
  outbox: (r) => isCanonicalHandle(r.wall) && isHex64(r.id) && typeof r.queuedAt === 'number',
  requests: (r) => isCanonicalHandle(r.handle),
  relayOutbox: (r) => isText(r.id) && isCanonicalHandle(r.to),
  blocked: (r) => isCanonicalHandle(r.handle),
  progress: (r) => isCanonicalHandle(r.handle) && isCount(r.heldSeq),
  meta: (r) => isText(r.key),
  passes: (r) => isCanonicalHandle(r.wall),
  issuedPasses: (r) => isCanonicalHandle(r.reader),
  revocations: (r) => isCanonicalHandle(r.wall),
  carried: (r) => isText(r.id) && isCanonicalHandle(r.wall) && typeof r.order === 'number' && typeof r.carriedAt === 'number' && typeof r.bytes === 'number',
  wallSync: (r) => isCanonicalHandle(r.wall),
  rejections: (r) => isHex64(r.id) && typeof r.at === 'number',
  mediaFiles: (r) => isHex64(r.name) && (r.status === 'partial' || r.status === 'complete') && isRow(r.ref ?? null),
  mediaChunks: (r) => isHex64(r.name) && isCount(r.index) && r.bytes instanceof Uint8Array,
  mediaUses: (r) => isCanonicalHandle(r.wall) && isHex64(r.entry) && isHex64(r.name) && (r.thumbnail === 0 || r.thumbnail === 1),
};

/** Each wall's entries are exactly 1…seq: a copy with a hole is not a copy worth keeping. */
function wallsWhole(stores: CheckedBackup['stores']): boolean {
  const heads = new Map(stores.walls.map((w) => [w.wall, w.seq]));
  const counts = new Map<string, number>();
  for (const e of stores.entries) {
    const head = heads.get(e.wall);
    if (head === undefined || e.seq > head) return false;
    counts.set(e.wall, (counts.get(e.wall) ?? 0) + 1);
  }
  return [...heads].every(([wall, seq]) => (counts.get(wall) ?? 0) === seq);
}

/** A complete file must be all there, every chunk matching its reference. */
function filesWhole(stores: CheckedBackup['stores']): boolean {
  const chunks = new Map<string, Uint8Array[]>();
  for (const c of stores.mediaChunks) (chunks.get(c.name) ?? chunks.set(c.name, []).get(c.name)!)[c.index] = c.bytes;
  return stores.mediaFiles.every((file) => {
    if (file.status !== 'complete') return true;
    const ref = file.ref as MediaRef;
    if (!(ref.sha256 instanceof Uint8Array) || toHex(ref.sha256) !== file.name || !Array.isArray(ref.chunks)) return false;
    const held = chunks.get(file.name) ?? [];
    return ref.chunks.every((_hash, i) => held[i] !== undefined && verifyMediaChunk(ref, i, held[i]!));
  });
}

/** Checks every record before anything is written; the reason says which store held a bad record. */
export function checkBackup(contents: BackupContents): Result<CheckedBackup> {
  const stores = Object.fromEntries(BACKUP_STORES.map((s) => [s, []])) as unknown as CheckedBackup['stores'];
  for (const { store, value } of contents.records) {
    if (!isBackupStore(store) || !isRow(value) || !SHAPES[store](value)) return fail(`The backup holds a damaged ${store} record.`);
    (stores[store] as unknown[]).push(value);
  }
  if (!wallsWhole(stores)) return fail('A wall in the backup is incomplete.');
  if (!filesWhole(stores)) return fail('A photo in the backup is incomplete or does not match its hash.');
  return ok({ contents, stores });
}
