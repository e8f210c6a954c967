import type { OutboxItem } from '@/core/replica';
import { isCanonicalHandle } from '@/core/handle';
import type { ContentDb, FeedItemV2, FriendRequestV2, PendingKeyChangeV6, ProfileRecordV5, RejectionRecordV5, RelayOutboxItemV2, UnfriendedNoticeV5 } from '../content-db';
import { guardStorage } from './storage-errors';

const UNFRIENDED_KEY = 'unfriendedBy';
/** "@x removed you" notices kept at most: an ex-friend cannot unfriend us more than once per friendship, but many can. */
export const UNFRIENDED_KEPT = 20;

const CANCELLED_KEY = 'cancelledRequests';
/** Requests we withdrew, remembered so that only an acceptance of one of them is answered (see friendships.ts). */
export const CANCELLED_KEPT = 50;

/** A friend request we cancelled: its receiver may still accept it (the broker keeps relays up to a week). */
export interface CancelledRequest {
  handle: string;
  nonce: string;
  at: number;
}

function readCancelled(value: unknown): CancelledRequest[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (c): c is CancelledRequest =>
        typeof c === 'object' &&
        c !== null &&
        isCanonicalHandle((c as CancelledRequest).handle) &&
        typeof (c as CancelledRequest).nonce === 'string' &&
        (c as CancelledRequest).nonce.length <= 64 &&
        Number.isSafeInteger((c as CancelledRequest).at),
    )
    .slice(0, CANCELLED_KEPT);
}

const KEY_CHANGES_KEY = 'keyChanges';
/** Pending key changes kept at most (one per friend; a friend list is bounded well below this). */
export const KEY_CHANGES_KEPT = 1_000;

function readKeyChanges(value: unknown): PendingKeyChangeV6[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((c): c is PendingKeyChangeV6 => {
      const k = c as Partial<PendingKeyChangeV6> | null;
      return typeof k === 'object' && k !== null && isCanonicalHandle(k.handle) && typeof k.key === 'string' && /^[0-9a-f]{64}$/.test(k.key)
        && Number.isSafeInteger(k.at) && (k.replyTo === null || (typeof k.replyTo === 'string' && k.replyTo.length <= 64))
        && (k.recovery === undefined || k.recovery === true);
    })
    .slice(0, KEY_CHANGES_KEPT);
}

/** The stored notices that still have their shape (the rest are dropped, not thrown on). */
function readUnfriended(value: unknown): UnfriendedNoticeV5[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((n): n is UnfriendedNoticeV5 => typeof n === 'object' && n !== null && isCanonicalHandle((n as UnfriendedNoticeV5).handle) && Number.isSafeInteger((n as UnfriendedNoticeV5).at))
    .slice(0, UNFRIENDED_KEPT);
}

/**
 * Typed access to the social tables of the content database — friend requests, blocks, what
 * each friend holds of our wall, the relay outbox — and the feed index. The only place in
 * `social/` besides the replica that touches IndexedDB; a full disk rejects with `StorageFullError`.
 */
export function createSocialStore(db: ContentDb) {
  const write = guardStorage;
  return {
    request: async (handle: string): Promise<FriendRequestV2 | null> => (await db.get('requests', handle)) ?? null,
    requests: (): Promise<FriendRequestV2[]> => db.getAll('requests'),
    putRequest: (request: FriendRequestV2) => write(() => db.put('requests', request)),
    deleteRequest: (handle: string) => write(() => db.delete('requests', handle)),

    blocked: async (): Promise<string[]> => (await db.getAll('blocked')).map((b) => b.handle),
    block: (handle: string, since: number) => write(() => db.put('blocked', { handle, since })),
    unblock: (handle: string) => write(() => db.delete('blocked', handle)),

    /** How far each friend's copy of our wall reaches. */
    async progress(): Promise<Map<string, number>> {
      return new Map((await db.getAll('progress')).map((p) => [p.handle, p.heldSeq]));
    },
    /** Records that `handle` holds our wall up to `seq`; true when that is news. */
    recordProgress: (handle: string, seq: number): Promise<boolean> =>
      write(async () => {
        const tx = db.transaction('progress', 'readwrite');
        const current = (await tx.store.get(handle))?.heldSeq ?? 0;
        if (seq > current) await tx.store.put({ handle, heldSeq: seq });
        await tx.done;
        return seq > current;
      }),
    forgetProgress: (handle: string) => write(() => db.delete('progress', handle)),

    /** When each friend's wall was last brought up to date, and by whom (null: the friend itself). */
    async wallSyncs(): Promise<Map<string, { at: number; via: string | null }>> {
      return new Map((await db.getAll('wallSync')).map((w) => [w.wall, { at: w.at, via: w.via }]));
    },
    recordWallSync: (wall: string, at: number, via: string | null) => write(() => db.put('wallSync', { wall, at, via })),
    forgetWallSync: (wall: string) => write(() => db.delete('wallSync', wall)),

    relayItem: async (id: string): Promise<RelayOutboxItemV2 | null> => (await db.get('relayOutbox', id)) ?? null,
    relayItems: (): Promise<RelayOutboxItemV2[]> => db.getAll('relayOutbox'),
    putRelayItem: (item: RelayOutboxItemV2) => write(() => db.put('relayOutbox', item)),
    deleteRelayItem: (id: string) => write(() => db.delete('relayOutbox', id)),
    /** Forgets every relay waiting for `handle` (unfriend, block). */
    purgeRelays: (handle: string) =>
      write(async () => {
        const tx = db.transaction('relayOutbox', 'readwrite');
        for (const item of await tx.store.getAll()) if (item.to === handle) await tx.store.delete(item.id);
        await tx.done;
      }),

    /** Friends who unfriended us and were not dismissed yet, newest first. */
    unfriendedBy: async (): Promise<UnfriendedNoticeV5[]> => readUnfriended((await db.get('meta', UNFRIENDED_KEY))?.value),
    /** Adds (or, with `at` null, removes) the notice about `handle`; the newest UNFRIENDED_KEPT stay. */
    setUnfriended: (handle: string, at: number | null) =>
      write(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const kept = readUnfriended((await tx.store.get(UNFRIENDED_KEY))?.value).filter((n) => n.handle !== handle);
        const value = at === null ? kept : [{ handle, at }, ...kept].slice(0, UNFRIENDED_KEPT);
        await tx.store.put({ key: UNFRIENDED_KEY, value });
        await tx.done;
      }),

    /** Remembers a request we withdrew; the newest CANCELLED_KEPT stay, none older than `since`. */
    rememberCancelled: (cancelled: CancelledRequest, since: number) =>
      write(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const kept = readCancelled((await tx.store.get(CANCELLED_KEY))?.value).filter((c) => c.at >= since && c.handle !== cancelled.handle);
        await tx.store.put({ key: CANCELLED_KEY, value: [cancelled, ...kept].slice(0, CANCELLED_KEPT) });
        await tx.done;
      }),
    /**
     * Whether `nonce` names a request to `handle` we withdrew (no older than `since`); it is forgotten
     * either way, so each cancelled request is answered at most once.
     */
    takeCancelled: (handle: string, nonce: string | null | undefined, since: number): Promise<boolean> =>
      write(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const all = readCancelled((await tx.store.get(CANCELLED_KEY))?.value).filter((c) => c.at >= since);
        const found = all.some((c) => c.handle === handle && c.nonce === nonce);
        await tx.store.put({ key: CANCELLED_KEY, value: all.filter((c) => c.handle !== handle) });
        await tx.done;
        return found;
      }),

    /** Friends' identity keys waiting for the person to accept them (docs/protocol.md §4.2). */
    keyChanges: async (): Promise<PendingKeyChangeV6[]> => readKeyChanges((await db.get('meta', KEY_CHANGES_KEY))?.value),
    /** Records (or, with `change` null, forgets) the key change waiting for `handle`: one per friend. */
    setKeyChange: (handle: string, change: PendingKeyChangeV6 | null) =>
      write(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const kept = readKeyChanges((await tx.store.get(KEY_CHANGES_KEY))?.value).filter((c) => c.handle !== handle);
        await tx.store.put({ key: KEY_CHANGES_KEY, value: change ? [change, ...kept].slice(0, KEY_CHANGES_KEPT) : kept });
        await tx.done;
      }),

    /** Published profiles, one per wall (ours included). */
    profiles: (): Promise<ProfileRecordV5[]> => db.getAll('profiles'),

    /** Own entries friends refused to seal, newest first, at most `limit`. */
    async rejections(limit: number): Promise<RejectionRecordV5[]> {
      const rows: RejectionRecordV5[] = [];
      let cursor = await db.transaction('rejections').store.index('byTime').openCursor(null, 'prev');
      while (cursor && rows.length < limit) {
        rows.push(cursor.value);
        cursor = await cursor.continue();
      }
      return rows;
    },
    /** Keeps a refused entry; only the newest `keep` stay, so a friend refusing in a loop cannot fill the disk. */
    putRejection: (rejection: RejectionRecordV5, keep: number) =>
      write(async () => {
        const tx = db.transaction('rejections', 'readwrite');
        await tx.store.put(rejection);
        const keys = await tx.store.index('byTime').getAllKeys();
        for (const key of keys.slice(0, Math.max(0, keys.length - keep))) await tx.store.delete(key);
        await tx.done;
      }),
    deleteRejection: (id: string) => write(() => db.delete('rejections', id)),

    /** Everything queued for friends' walls, by wall, each in queue order. */
    async outboxes(): Promise<Map<string, OutboxItem[]>> {
      const byWall = new Map<string, OutboxItem[]>();
      for (const { wall, ...item } of (await db.getAll('outbox')).sort((a, b) => a.queuedAt - b.queuedAt)) {
        const items = byWall.get(wall);
        if (items) items.push(item);
        else byWall.set(wall, [item]);
      }
      return byWall;
    },

    /**
     * The newest feed rows (of one wall, or of all), skipping rows `hide` refuses, at most `limit`.
     * Both read newest first through an index and stop after `limit`: the cost does not grow
     * with the number of stored posts.
     */
    async feedPage(limit: number, wall: string | null, hide: (author: string) => boolean): Promise<FeedItemV2[]> {
      const rows: FeedItemV2[] = [];
      const tx = db.transaction('feed');
      let cursor = wall
        ? await tx.store.index('byWall').openCursor(IDBKeyRange.bound([wall], [wall, []]), 'prev')
        : await tx.store.index('byTime').openCursor(null, 'prev');
      while (cursor && rows.length < limit) {
        if (!hide(cursor.value.author)) rows.push(cursor.value);
        cursor = await cursor.continue();
      }
      return rows;
    },
  };
}

export type SocialStore = ReturnType<typeof createSocialStore>;
