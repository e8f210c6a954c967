import { fromHex, toHex } from '@/core/bytes';
import type { FeedRow } from '@/core/feed';
import type { Identity } from '@/core/identity';
import { pendingChanges } from '@/core/pending';
import { cleanAbout, cleanDisplayName } from '@/core/profileText';
import type { Replica } from '@/core/replica';
import { safetyNumber } from '@/core/safetyNumber';
import { pendingPosts, withThreads } from './feed-threads';
import type { SocialCircle } from './social-circle';
import type { SocialStore } from './social-store';
import type { FeedPost, FriendPresence, FriendView, RequestView, SocialState } from './social-views';

/** Refused entries the friend list shows (and keeps: see REJECTIONS_KEPT). */
export const REJECTIONS_SHOWN = 20;

export interface SocialStateDeps {
  identity: Identity;
  replica: Replica;
  store: SocialStore;
  circle: SocialCircle;
  presenceOf(handle: string): FriendPresence;
  /** Why a friend the broker reports online cannot be reached, or null. */
  reasonOf(handle: string): string | null;
  penaltyOf(handle: string): string | null;
}

/** What the UI reads: the friend list with requests and problems, and feed pages. */
export function createSocialState(deps: SocialStateDeps) {
  const { identity, replica, store, circle } = deps;
  const me = identity.handle;
  /** Safety numbers by handle and key: each costs a hash, and keys rarely change. */
  const safetyNumbers = new Map<string, string>();

  function safetyNumberOf(handle: string, key: Uint8Array): string {
    const id = `${handle}:${toHex(key)}`;
    let number = safetyNumbers.get(id);
    if (number === undefined) {
      number = safetyNumber({ handle: me, key: identity.publicKey }, { handle, key });
      safetyNumbers.set(id, number);
    }
    return number;
  }

  /** A stored row as the UI shows it: own posts list the friends still waiting for it. */
  function toPost(row: FeedRow, progress: ReadonlyMap<string, number>): FeedPost {
    const waitingFor =
      row.wall === me
        ? [...circle.friends]
            .filter((f) => !circle.gone.has(f) && (progress.get(f) ?? 0) < row.seq && deps.presenceOf(f) !== 'online')
            .sort()
        : [];
    return {
      id: row.id,
      wall: row.wall,
      author: row.author,
      seq: row.seq,
      text: row.text,
      shownAt: row.shownAt,
      edited: row.edited,
      waitingFor,
      vouchedBy: vouchedBy(row),
      via: row.via ?? null,
      photos: row.photos ?? [],
      likes: [],
      comments: [],
      moreComments: false,
      pending: false,
    };
  }

  /**
   * The wall's owner when its seal alone stands for the author's key (docs/protocol.md §6.1); null for
   * the reader, its friends and the owner, and on the reader's own wall, where it sealed everything itself.
   */
  function vouchedBy(row: FeedRow): string | null {
    const known = row.author === me || row.author === row.wall || row.wall === me || circle.friends.has(row.author);
    return known ? null : row.wall;
  }

  const threads = {
    replica,
    isBlocked: (handle: string) => circle.blocked.has(handle),
    isFriend: (handle: string) => circle.friends.has(handle),
  };
  const pendingByWall = async () => new Map([...(await store.outboxes())].map(([wall, items]) => [wall, pendingChanges(items)]));

  return {
    async posts(rows: readonly FeedRow[]): Promise<FeedPost[]> {
      const progress = rows.some((r) => r.wall === me) ? await store.progress() : new Map<string, number>();
      const posts = rows.filter((r) => !circle.blocked.has(r.author)).map((r) => toPost(r, progress));
      return withThreads(threads, me, posts, await pendingByWall());
    },
    /** A page of the merged feed (`wall` null) or of one wall, with threads and one's own pending entries. */
    async feed(limit: number, wall: string | null, expanded: readonly string[] = []): Promise<FeedPost[]> {
      // A blocked handle's posts on a friend's wall stay in that wall's log but are never shown.
      const rows = await store.feedPage(limit, wall, (author) => circle.blocked.has(author));
      const progress = await store.progress();
      const pending = await pendingByWall();
      const sealed = rows.map((r) => toPost(r, progress));
      const queued = pendingPosts(me, pending, wall, new Set(rows.map((r) => r.id)));
      return withThreads(threads, me, [...queued, ...sealed], pending, new Set(expanded));
    },
    async state(): Promise<SocialState> {
      const progress = await store.progress();
      const ownSeq = (await replica.wallState(me))?.seq ?? 0;
      const outbox = new Map((await store.relayItems()).map((i) => [i.id, i]));
      const synced = await store.wallSyncs();
      const keyChanges = new Map((await store.keyChanges()).map((c) => [c.handle, c]));
      const keyChangeOf = (handle: string): FriendView['keyChange'] => {
        const change = keyChanges.get(handle);
        const key = change ? fromHex(change.key, 32) : null;
        return change && key ? { at: change.at, safetyNumber: safetyNumberOf(handle, key), recovery: change.recovery === true } : null;
      };
      const friends: FriendView[] = (await replica.friends())
        .map((f) => ({
          handle: f.handle,
          presence: deps.presenceOf(f.handle),
          reason: deps.reasonOf(f.handle),
          since: f.since,
          problem: deps.penaltyOf(f.handle),
          waiting: circle.gone.has(f.handle) ? 0 : Math.max(0, ownSeq - (progress.get(f.handle) ?? 0)),
          gone: circle.gone.has(f.handle),
          safetyNumber: safetyNumberOf(f.handle, f.key),
          wallUpToDate: synced.get(f.handle) ?? null,
          keyChange: keyChangeOf(f.handle),
        }))
        .sort((a, b) => a.handle.localeCompare(b.handle));
      const requests: RequestView[] = (await store.requests()).map((r) => {
        const item = outbox.get(r.message.nonce);
        return {
          handle: r.handle,
          direction: r.direction,
          at: r.at,
          note: r.message.note,
          delivery: !item || item.status === 'delivered' ? 'delivered' : item.status === 'accepted' ? 'sent' : (item.status ?? 'sending'),
        };
      });
      return {
        friends,
        incoming: requests.filter((r) => r.direction === 'incoming'),
        outgoing: requests.filter((r) => r.direction === 'outgoing'),
        blocked: [...circle.blocked].sort(),
        problems: [...circle.problems],
        profiles: (await store.profiles())
          .filter((p) => p.wall === me || circle.friends.has(p.wall))
          .map((p) => ({
            handle: p.wall,
            displayName: cleanDisplayName(p.displayName),
            about: cleanAbout(p.about),
            ...(p.picture ? { picture: { full: p.picture.full, thumbnail: p.picture.thumbnail } } : {}),
          })),
        rejections: await store.rejections(REJECTIONS_SHOWN),
        unfriendedBy: await store.unfriendedBy(),
        recovering: await replica.recovering(),
      };
    },
  };
}

export type SocialStateReader = ReturnType<typeof createSocialState>;
