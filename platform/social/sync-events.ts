import type { SyncEvent } from '@/core/syncSession';
import type { Conversation } from './conversation';
import { forkRepairSentence, forkUnrepairedSentence } from './fork-sentence';
import type { ChangeBatcher } from './social-changes';
import type { SocialCircle } from './social-circle';
import type { SocialStateReader } from './social-state';
import type { SocialStore } from './social-store';
import { CHANGE_MAX_POSTS } from './social-views';
import type { WallNotices } from './wall-notices';

export interface SyncEventDeps {
  me: string;
  circle: SocialCircle;
  store: SocialStore;
  view: Pick<SocialStateReader, 'posts'>;
  changes: ChangeBatcher;
  notices: WallNotices;
  conversation: Pick<Conversation, 'rejected'>;
  /** Tells friends in session who may read `wall` through us that it grew (§7.5). */
  announceWall(wall: string, from: string): void;
  /** A friend presented a key its pinned key did not sign: kept for the person to accept (§4.2). */
  keyChanged(handle: string, key: Uint8Array): void;
  /** Announces our own wall after entries friends wrote on it were sealed (throttled). */
  spreadSealed(): void;
  /** One's own wall had two versions (§8 Forks): the sentence that tells the person, kept until dismissed. */
  wallForked(sentence: string): Promise<void>;
  now(): number;
}

/** What each event of a sync session with `handle` changes for pages, notifications and other friends. */
export function createSyncEventHandler(deps: SyncEventDeps) {
  const { me, circle, store, changes } = deps;
  return (handle: string, event: SyncEvent): void => {
    if (event.type === 'wallUpdated') {
      void deps.notices.onWallUpdated(event.wall, event.added).catch((e: unknown) => console.error('[peerwall] notifications failed', e));
      // Friends in session who may read this wall through us hear of it now (§7.5).
      if (event.wall !== me && event.added.length > 0) deps.announceWall(event.wall, handle);
      if (event.wall === handle && event.added.some((e) => e.header.kind === 'goodbye')) circle.markGone(handle);
      const rows = event.feed.flatMap((c) => (c.op === 'put' ? [c.row] : []));
      // Only new rows can be inserted by pages; anything else (or an own-wall change) reloads. Past what
      // one notice carries a page reloads anyway: a catch-up's batch of 400 posts is not worth their threads.
      const insertable = rows.length === event.feed.length && rows.length > 0 && rows.length <= CHANGE_MAX_POSTS;
      if (insertable) void deps.view.posts(rows).then(changes.posts, changes.feed);
      else changes.feed();
      if (event.feed.some((c) => c.op === 'profile')) changes.friends(); // display names
      // Entries friends wrote on our wall were just sealed: every other friend should have them too.
      if (event.wall === me) deps.spreadSealed();
    } else if (event.type === 'peerHolds' && event.wall === me) {
      // The friend list counts what each friend still waits for. Own rows need no reload: a
      // friend syncing is online, and rows list only friends who are not.
      void store.recordProgress(handle, event.seq).then((news) => {
        if (news) changes.friends();
      }, () => undefined);
    } else if (event.type === 'upToDate' && event.wall !== me) {
      void store.recordWallSync(event.wall, deps.now(), event.wall === handle ? null : handle).then(() => changes.friends(), () => undefined);
    } else if (event.type === 'undeliverable') {
      // The author reads what was refused and why; the pending mark goes away with the reload.
      void deps.conversation.rejected(event.wall, event.id, event.reason, event.entry).then(() => {
        changes.friends();
        changes.feed();
      }, () => changes.feed());
    } else if (event.type === 'delivered' || event.type === 'recovered') {
      changes.feed();
      if (event.type === 'recovered') changes.friends(); // the state's `recovering` flag
    } else if (event.type === 'keyChanged') {
      deps.keyChanged(handle, event.key);
    } else if (event.type === 'forkRepaired' || event.type === 'forkUnrepaired') {
      const sentence = event.type === 'forkRepaired' ? forkRepairSentence(event.friend, event.repair) : forkUnrepairedSentence(event.friend, event.reason);
      changes.feed();
      // The state carries the sentence once it is kept.
      void deps.wallForked(sentence).then(() => changes.friends(), (e: unknown) => console.error('[peerwall] fork notice not kept', e));
    } else if (event.type === 'forkFollowed') {
      changes.feed(); // a friend's wall was repaired: it just updates, nothing to alarm anyone
    } else if (event.type === 'keyRotated') {
      changes.feed(); // what waits for the friend was re-signed: new ids
    }
  };
}
