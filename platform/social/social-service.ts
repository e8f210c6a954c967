import type { Identity, RandomBytes } from '@/core/identity';
import type { Sha256 } from '@/core/media';
import { createWallPulls } from '@/core/relay';
import { createSignatureCache } from '@/core/signatureCache';
import { withHotFiles } from '@/core/mediaHotFiles';
import { createHashMemory } from '@/core/syncMediaRunningHash';
import type { Replica } from '@/core/replica';
import { StorageFullError } from '@/core/replica';
import type { ServerFrame } from '@/core/signalling';
import type { SyncEvent } from '@/core/syncSession';
import { pureVerifier, type Verifier } from '@/core/verifier';
import type { ContentDb } from '../content-db';
import { PeerwallError } from '../errors';
import type { DataLink, PeerAccess } from '../ports';
import type { Timers } from '../timers';
import type { ConnectionEvent } from './connection-log';
import { createForkNotice, createIdbForkStatements, createIdbSettledForks } from './fork-store';
import { createFriendships } from './friendships';
import { createKeyChanges } from './key-changes';
import { openStagedPhotos, type StagedDb } from '../staged-photos';
import { createIdbMediaStore } from './idb-media-store';
import { createPhotoClaims } from './photo-claims';
import { createIdbRefillMarks } from './idb-refill-marks';
import type { PhotoRequest } from './staged-photo-check';
import { createIdbRelayStore } from './idb-relay-store';
import { createIdbReplica } from './idb-replica';
import type { ReplicaFaults } from './replica-faults';
import { createOwnRecoveryService, type RecoveryView } from './own-recovery';
import { createOwnWall } from './own-wall';
import { createRelaySender } from './relay-sender';
import { createConversation } from './conversation';
import { createProfileWriter, type PictureChange } from './profile-writer';
import { CONNECTION_DEFAULTS } from './connection-defaults';
import { createChangeBatcher } from './social-changes';
import { createSocialCircle } from './social-circle';
import { createSocialState } from './social-state';
import { createSocialStore } from './social-store';
import type { ActionReceipt, FeedPost, SocialChange, SocialNotice, SocialState, WallPostReceipt } from './social-views';
import { createSyncConnections, type ConnectionOptions } from './sync-connections';
import { createSyncEventHandler } from './sync-events';
import { createThrottle } from './throttle';
import { createWallNotices } from './wall-notices';

/** Announcing what was sealed for friends happens at most this often. */
const SEALED_SPREAD_MS = 1_000;

export interface SocialOptions extends ConnectionOptions {
  /** Changes within this long reach open pages as one notice. */
  changeBatchMs: number;
}

const DEFAULTS: SocialOptions = { ...CONNECTION_DEFAULTS, changeBatchMs: 150 };

export interface SocialServiceDeps {
  db: ContentDb;
  identity: Identity;
  access: PeerAccess;
  now(): number;
  randomBytes: RandomBytes;
  /** Checks signatures (sync and own writes); the runtime's WebCrypto where it has Ed25519. Pure by default. */
  verifier?: Verifier;
  /** Hashes photo chunks and files as they arrive; the runtime's WebCrypto. Pure JS by default. */
  sha256?: Sha256;
  timers: Timers;
  /** What changed, for open pages. */
  onChange(change: SocialChange): void;
  notify(notice: SocialNotice): void;
  options?: Partial<SocialOptions>;
  /** Where pages stage the photo files of a post they are about to send (../staged-photos.ts). */
  openStaged?: () => Promise<StagedDb>;
  /** Test builds only (./fault-switch.ts): crashes made while batches are stored. */
  faults?: ReplicaFaults;
  /** The identity's key history grew (a recovery from friends) and is saved: start the account again with it. */
  identityChanged?(): void;
}

export type SocialService = ReturnType<typeof createSocialService>;

/**
 * Friends, walls and sync for one signed-in account. Every state change runs through one
 * serial queue, so relays, presence and UI actions never interleave; the work itself lives in
 * friendships.ts, own-wall.ts, conversation.ts, sync-connections.ts and social-state.ts.
 */
export function createSocialService(deps: SocialServiceDeps) {
  const options: SocialOptions = { ...DEFAULTS, ...deps.options };
  const { identity, access, timers } = deps;
  const me = identity.handle;
  const verifier = deps.verifier ?? pureVerifier;
  const replica: Replica = createIdbReplica(deps.db, deps.faults);
  const relayStore = createIdbRelayStore(deps.db);
  // One's own photos stay in memory a while after they are posted, for the friends who fetch them first.
  const media = withHotFiles(createIdbMediaStore(deps.db), { now: deps.now, later: (sweep, ms) => void timers.setTimeout(sweep, ms) });
  const store = createSocialStore(deps.db);
  const circle = createSocialCircle();
  const forkNotice = createForkNotice(deps.db);
  const changes = createChangeBatcher(timers, options.changeBatchMs, deps.onChange);
  let queue: Promise<unknown> = Promise.resolve();

  /** Serialises every state change so relays, presence and UI actions never interleave. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  }

  const connections = createSyncConnections({
    replica,
    identity,
    access,
    now: deps.now,
    randomBytes: deps.randomBytes,
    relay: { store: relayStore, pulls: createWallPulls(deps.now), verified: createSignatureCache() },
    // A file that arrived whole may be shown: pages reload the feed and read it from storage. Friends in
    // session hear of it (a notify, at most once a second): one that asked for it too early asks again.
    media: {
      store: media,
      refill: createIdbRefillMarks(deps.db),
      onEvent: (event) => {
        if (event.type === 'mediaProgress') return changes.file(event.file);
        if (event.type !== 'mediaStored') return;
        changes.feed();
        sealedSpread.call();
      },
      sha256: deps.sha256,
      memory: createHashMemory(),
    },
    verifier,
    ownRecovery: () => ownRecovery.current(),
    forks: { statements: createIdbForkStatements(deps.db), settled: createIdbSettledForks(deps.db) },
    timers,
    options,
    mayConnect: circle.mayConnect,
    onEvent: (handle: string, event: SyncEvent) => onSyncEvent(handle, event),
    onChange: () => {
      changes.friends();
      changes.feed(); // own posts say who they still wait for
    },
    addProblem: circle.addProblem,
  });
  const view = createSocialState({
    identity,
    replica,
    store,
    circle,
    presenceOf: connections.presenceOf,
    reasonOf: connections.reasonOf,
    penaltyOf: connections.penaltyOf,
  });
  const relay = createRelaySender({
    store,
    identity,
    randomBytes: deps.randomBytes,
    now: deps.now,
    isOnline: access.isOnline,
    sendToBroker: access.sendToBroker,
    timers,
    random: () => deps.randomBytes(1)[0]! / 256,
  });
  const friendships = createFriendships({
    identity,
    replica,
    store,
    circle,
    relay,
    relayStore,
    media,
    access,
    disconnect: (handle) => {
      connections.forget(handle);
      // Friends in session hear of the revoked reader pass now, not at their next session (§7.5).
      spread();
    },
    changes,
    now: deps.now,
    notify: deps.notify,
    keyChanged: (handle, key, replyTo, recovery) => keyChanges.noticed(handle, key, replyTo, recovery),
    forgetKeyChange: (handle) => keyChanges.forget(handle),
  });
  const spread = (): void => connections.spread(circle.friends);
  // After sealing friends' entries: so a friend submitting one entry at a time cannot make this side
  // announce to every other friend at its pace.
  const sealedSpread = createThrottle({ timers, now: deps.now }, SEALED_SPREAD_MS, spread);
  const writer = { identity, replica, store, circle, now: deps.now, randomBytes: deps.randomBytes, verifier, spread };
  const photos = createPhotoClaims({ media, openStaged: deps.openStaged ?? openStagedPhotos, now: deps.now });
  const ownWall = createOwnWall({ ...writer, timers, photos, reachable: (f) => ['online', 'connecting'].includes(connections.presenceOf(f)) });
  const notices = createWallNotices({ me, replica, isBlocked: (h) => circle.blocked.has(h), notify: deps.notify, timers });

  const conversation = createConversation({ ...writer, media, photos, online: (f) => connections.presenceOf(f) === 'online' });
  const profileWriter = createProfileWriter({ ...writer, media, openStaged: deps.openStaged ?? openStagedPhotos });

  const keyChanges = createKeyChanges({
    ...writer,
    relay, relayStore, media, conversation, access, changes, notify: deps.notify,
    reconnect: (handle) => connections.keyAccepted(handle),
  });

  const onSyncEvent = createSyncEventHandler({
    me,
    circle,
    store,
    view,
    changes,
    notices,
    conversation,
    announceWall: connections.announceWall,
    spreadSealed: sealedSpread.call,
    wallForked: (sentence) => forkNotice.set(sentence),
    keyChanged: (handle, key) => void serial(() => keyChanges.noticed(handle, key)).catch((e: unknown) => console.error('[peerwall] key change not kept', e)),
    now: deps.now,
  });
  function onStorageFull(error: unknown, from: string): void {
    if (!(error instanceof StorageFullError)) return;
    circle.addProblem(`Your browser’s storage is full, so a message from @${from.slice(0, 15)} could not be saved. Nothing is lost: free some disk space and Peerwall receives it again when they next come online.`);
    changes.friends();
  }

  const ownRecovery = createOwnRecoveryService({
    db: deps.db,
    replica,
    identity,
    store,
    relay,
    timers,
    now: deps.now,
    randomBytes: deps.randomBytes,
    verifier,
    notify: deps.notify,
    changed: () => changes.friends(),
    recovered: () => deps.identityChanged?.(),
  });

  const stateNow = async (): Promise<SocialState> => {
    const state = await view.state();
    const waiting = ownRecovery.view();
    const forked = await forkNotice.read();
    const withForks = forked ? { ...state, wallForked: forked } : state;
    if (waiting) return { ...withForks, recoveryWaitsFor: waiting.waitingFor };
    return ownRecovery.offered() ? { ...withForks, mayRecoverFromFriends: true } : withForks;
  };

  /** Runs an action on a post or comment; open pages reload the feed to show it (pending until sealed). */
  const act = (action: () => Promise<ActionReceipt>): Promise<ActionReceipt> =>
    serial(async () => {
      const receipt = await action();
      changes.feed();
      return receipt;
    });

  return {
    replica,
    async start(): Promise<void> {
      await circle.load(replica, store);
      await ownRecovery.start();
      // Not awaited by the pages: a photo that cannot be kept now is fetched or kept on the next start.
      void photos.resume().catch((e: unknown) => console.error('[peerwall] photos of a post not kept', e));
    },
    allowlist: circle.allowlist,
    online(): void {
      void serial(() => relay.resendAll()).catch((e: unknown) => console.error('[peerwall] relay resend failed', e));
    },
    networkChanged: (): void => connections.networkChanged(),
    offline(): void {
      connections.clearPresence();
      changes.friends();
    },
    serverFrame(frame: ServerFrame): void {
      const fail = (e: unknown) => console.error(`[peerwall] ${frame.type} failed`, e);
      if (frame.type === 'PW_RELAY') {
        void serial(() => friendships.onRelay(frame.src, frame.payload.body)).catch((e: unknown) => {
          onStorageFull(e, frame.src);
          fail(e);
        });
      } else if (frame.type === 'PW_RELAY_STATUS') {
        void serial(() => friendships.onRelayStatus(frame)).catch(fail);
      } else {
        connections.onPresence(frame.payload.online, frame.payload.offline);
        if (frame.payload.online.length > 0) void serial(() => friendships.onFriendsOnline(frame.payload.online)).catch(fail);
      }
    },
    /** An incoming sync connection: accepted from friends only. */
    incoming: (link: DataLink): void => connections.incoming(link),
    /** The last events of the connections to a friend, for "Connection details". */
    connectionLog(handle: string): ConnectionEvent[] {
      if (!circle.friends.has(handle)) throw new PeerwallError('not_friends', `@${handle} is not your friend.`);
      return connections.logOf(handle);
    },
    state: () => serial(stateNow),
    feed: (limit: number, wall: string | null = null, expanded: readonly string[] = []): Promise<FeedPost[]> => view.feed(limit, wall, expanded),
    addFriend: (handle: string, note = '') => serial(async () => (await friendships.addFriend(handle, note), stateNow())),
    answerRequest: (handle: string, accept: boolean) => serial(async () => (await friendships.answerRequest(handle, accept), stateNow())),
    cancelRequest: (handle: string) => serial(async () => (await friendships.cancelRequest(handle), stateNow())),
    dismissUnfriended: (handle: string) => serial(async () => (await friendships.dismissUnfriended(handle), stateNow())),
    dismissForkNotice: () => serial(async () => (await forkNotice.set(null), stateNow())),
    unfriend: (handle: string) => serial(async () => (await friendships.unfriend(handle), stateNow())),
    /** Ignores a friend's request to restore its wall under a new key (§8). */
    ignoreKeyChange: (handle: string) => serial(async () => (await keyChanges.ignore(handle), stateNow())),
    /** After a sign-in without the key: asks the named friends to restore this wall (§8). */
    recoverFromFriends: (names: readonly string[]) => serial(async () => (await ownRecovery.ask(names), stateNow())),
    /** Stops waiting for friends: the wall starts afresh. */
    skipRecovery: () => serial(async () => (await ownRecovery.skip(), stateNow())),
    /** Who a recovery from friends still waits for, or null when none is going on. */
    recovery: (): RecoveryView | null => ownRecovery.view(),
    /** Accepts a friend's new identity key after the person compared the safety number (§4.2). */
    acceptKeyChange: (handle: string) => serial(async () => (await keyChanges.accept(handle), stateNow())),
    block: (handle: string) => serial(async () => (await friendships.block(handle), stateNow())),
    unblock: (handle: string) => serial(async () => (await friendships.unblock(handle), stateNow())),
    /** Writes a post, with photos a page staged, and answers with its feed row; open pages get the same row. */
    post: (text: string, photos: readonly PhotoRequest[] = []) =>
      serial(async (): Promise<FeedPost> => {
        const [post] = await view.posts([await ownWall.post(text, photos)]);
        changes.posts([post!]);
        changes.friends(); // friends' waiting counts
        return post!;
      }),
    /** Queues a post for a friend's wall; the receipt says when it gets there. */
    writeOnWall: (wall: string, text: string, photos: readonly PhotoRequest[] = []) =>
      serial(async (): Promise<WallPostReceipt> => {
        const { id, message } = await conversation.wallPost(wall, text, photos);
        return { id, wall, message: message ?? `Sent to @${wall}; it shows on their wall once their Peerwall accepts it.` };
      }),
    /** Comments on a post on one's own wall or a friend's; the receipt says when the friend gets it. */
    comment: (wall: string, target: string, text: string) => act(() => conversation.comment(wall, target, text)),
    like: (wall: string, target: string, liked: boolean) => act(() => conversation.like(wall, target, liked)),
    edit: (wall: string, target: string, text: string) => act(() => conversation.edit(wall, target, text)),
    remove: (wall: string, target: string) => act(() => conversation.remove(wall, target)),
    /** Publishes a display name, an "about" and a picture (absent: kept; null: removed); other open pages show them. */
    setProfile: (displayName: string, about: string, picture?: PictureChange) =>
      serial(async () => (await profileWriter.setProfile(displayName, about, picture), changes.friends(), stateNow())),
    dismissRejection: (id: string) => serial(async () => (await conversation.dismissRejection(id), stateNow())),
    /** Before account deletion: a goodbye to the friends that can take it, waiting at most `waitMs`. */
    farewell: (text: string, waitMs: number): Promise<void> => ownWall.farewell(text, waitMs),
    stop(): void {
      sealedSpread.stop();
      notices.stop();
      changes.stop();
      connections.stop();
      relay.stop();
    },
  };
}
