import { bytesEqual } from '@/core/bytes';
import { StorageFullError } from '@/core/replica';
import type { IDBPTransaction, StoreNames } from 'idb';
import { keysUnder, type ContentDb, type ContentSchema } from '../content-db';
import { PeerwallError } from '../errors';
import { storageError } from '../social/storage-errors';
import { BACKUP_STORES, DEVICE_META_KEYS, WALL_STORES, type BackupStore } from './backup-stores';
import type { CheckedBackup } from './check-backup';

export interface MergeOutcome {
  /** Records written; 0 when everything in the backup was here already. */
  written: number;
  /** The own wall (or the identity) came from the backup and friends may hold more: it is now marked recovering (§8). */
  recovering: boolean;
  /**
   * Walls whose copy here and the backup's differ at some position (a fork): the backup's is longer but does
   * not continue the one here, which was kept as it is.
   */
  differing: string[];
}

/** What `host:import-backup` answers: whose backup it was, and what the merge did. */
export interface BackupImported extends MergeOutcome {
  handle: string;
}

/** Stores merged by "add what is missing": a record already here is newer than, or the same as, the backup's. */
const ADD_IF_MISSING = ['friends', 'outbox', 'requests', 'relayOutbox', 'blocked', 'passes', 'issuedPasses', 'revocations', 'carried', 'rejections'] as const satisfies readonly BackupStore[];

/**
 * Nothing of this browser's identity reached anyone yet: no own entry, no friend, no request. A person who
 * signed in on a fresh install before restoring has only such a key, and may replace it with the backup's.
 */
async function unused(tx: IDBPTransaction<ContentSchema, StoreNames<ContentSchema>[], 'readwrite'>): Promise<boolean> {
  const counts = await Promise.all([tx.objectStore('entries').count(), tx.objectStore('friends').count(), tx.objectStore('requests').count(), tx.objectStore('outbox').count()]);
  return counts.every((n) => n === 0);
}

function keyOf(keyPath: string | string[] | null, value: object): IDBValidKey {
  const field = (name: string): IDBValidKey => (value as Record<string, IDBValidKey>)[name]!;
  if (keyPath === null) throw new Error('a backed-up store has no key path');
  return Array.isArray(keyPath) ? keyPath.map(field) : field(keyPath);
}

/**
 * Merges a checked backup into a content database in one transaction, so a failure leaves nothing
 * half-applied. Never lowers what is held: a wall is taken from the backup only when its copy is
 * longer, a file only when it completes a partial one, anything else only when it is missing.
 * Importing the same backup twice writes nothing the second time.
 */
export async function mergeBackup(db: ContentDb, checked: CheckedBackup): Promise<MergeOutcome> {
  const { identity, createdAt } = checked.contents;
  const me = identity.handle;
  const { stores } = checked;
  const tx = db.transaction(['identity', ...BACKUP_STORES], 'readwrite');
  tx.done.catch(() => undefined); // reported through the awaited request or `tx.done` below
  let written = 0;
  // Puts are queued without waiting for each, as the replica's commit does: a transaction runs its requests in
  // order, so a read after a put still sees it, and a failed put aborts the whole transaction.
  const queued: Promise<unknown>[] = [];
  const put = <S extends BackupStore>(store: S, value: (typeof stores)[S][number]): void => {
    const request = tx.objectStore(store).put(value as never);
    request.catch(() => undefined); // seen through Promise.all below
    queued.push(request);
    written += 1;
  };
  try {
    let held = await tx.objectStore('identity').get(me);
    if (held && !bytesEqual(held.publicKey, identity.publicKey)) {
      if (!(await unused(tx))) {
        throw new PeerwallError('other_identity', `This backup holds another key for @${me} than this browser does. Nothing was changed.`);
      }
      // Signed in here before restoring: a key nobody has seen yet gives way to the backup's, with its empty wall.
      await tx.objectStore('walls').delete(me);
      held = undefined;
    }
    if (!held) {
      await tx.objectStore('identity').put({ ...identity, createdAt });
      written += 1;
    }

    const walls = tx.objectStore('walls');
    const longer = new Set<string>();
    const differing: string[] = [];
    for (const wall of stores.walls) {
      const heldWall = await walls.get(wall.wall);
      const heldSeq = heldWall?.seq;
      if (heldSeq !== undefined && heldSeq >= wall.seq) continue;
      // Longer, but taken only when it continues the copy here: its next entry chains to the head held.
      const next = heldSeq ? stores.entries.find((e) => e.wall === wall.wall && e.seq === heldSeq + 1) : undefined;
      if (heldWall && heldSeq && !(next && bytesEqual(next.prev, heldWall.sealHash))) {
        differing.push(wall.wall);
        continue;
      }
      if (heldSeq !== undefined) {
        await tx.objectStore('entries').delete(IDBKeyRange.bound([wall.wall, 0], [wall.wall, Number.MAX_SAFE_INTEGER]));
        const feed = tx.objectStore('feed');
        for (const id of await feed.index('byWall').getAllKeys(keysUnder(wall.wall))) await feed.delete(id);
        await tx.objectStore('profiles').delete(wall.wall);
        await tx.objectStore('mediaUses').delete(keysUnder(wall.wall));
        await tx.objectStore('wallSync').delete(wall.wall);
      }
      put('walls', wall);
      longer.add(wall.wall);
    }
    for (const store of WALL_STORES) for (const row of stores[store]) if (longer.has(row.wall)) put(store, row);
    for (const row of stores.entries) if (longer.has(row.wall)) put('entries', row);

    for (const row of stores.progress) {
      if (((await tx.objectStore('progress').get(row.handle))?.heldSeq ?? -1) < row.heldSeq) put('progress', row);
    }
    for (const row of stores.meta) {
      if (!DEVICE_META_KEYS.includes(row.key) && (await tx.objectStore('meta').getKey(row.key)) === undefined) put('meta', row);
    }
    const chunksOf = new Map<string, typeof stores.mediaChunks>();
    for (const chunk of stores.mediaChunks) chunksOf.set(chunk.name, [...(chunksOf.get(chunk.name) ?? []), chunk]);
    for (const file of stores.mediaFiles) {
      const heldFile = await tx.objectStore('mediaFiles').get(file.name);
      if (heldFile && !(heldFile.status === 'partial' && file.status === 'complete')) continue;
      await tx.objectStore('mediaChunks').delete(keysUnder(file.name));
      put('mediaFiles', file);
      for (const chunk of chunksOf.get(file.name) ?? []) put('mediaChunks', chunk);
    }
    for (const store of ADD_IF_MISSING) {
      const target = tx.objectStore(store);
      for (const row of stores[store]) {
        if ((await target.getKey(keyOf(target.keyPath, row) as never)) === undefined) put(store, row);
      }
    }

    // Friends may hold entries written after the backup; with no friend, nobody holds a copy to wait for.
    const recovering = (!held || longer.has(me)) && (await tx.objectStore('friends').count()) > 0;
    if (recovering) await tx.objectStore('meta').put({ key: 'recovering', value: true });
    await Promise.all([...queued, tx.done]);
    return { written, recovering, differing };
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    if (error instanceof PeerwallError) throw error;
    // The request that failed says why; the others only say "aborted".
    const settled = await Promise.allSettled(queued);
    const cause = storageError(settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof DOMException && r.reason.name === 'AbortError'))?.reason ?? error);
    if (cause instanceof StorageFullError) throw new PeerwallError('storage_full', 'There is not enough free disk space to import this backup. Nothing was changed.');
    console.error('[peerwall] A backup could not be written', cause);
    throw new PeerwallError('invalid_backup', 'The backup could not be written here. Nothing was changed; try again.');
  }
}
