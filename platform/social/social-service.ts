import { writeOwnEntry } from '@/core/author';
import { pinFriend, unfriend as forgetFriend, isPinnedSender } from '@/core/friendship';
import { HANDLE_RULE, parseHandle } from '@/core/handle';
import type { Identity, RandomBytes } from '@/core/identity';
import { parseRelayMessage, type RelayMessage } from '@/core/relayMessage';
import { safetyNumber } from '@/core/safetyNumber';
import type { Replica, StoredEntry } from '@/core/replica';
import { PeerwallError } from '../errors';
import type { ContentDb, FeedItemV2 } from '../content-db';
import type { BrokerFrame, DataLink } from '../peer-host/peer-port';
import type { Timers } from '../peer-host/timers';
import {
  createRelaySender,
  isFinalRejection,
  parseIncomingRelay,
  parsePresence,
  parseRelayStatus,
  relayProblem,
} from './friend-requests';
import { createIdbReplica, feedItem, postText } from './idb-replica';
import { DEFAULT_LINK_LIMITS } from './link-transport';
import { createSyncConnections, type ConnectionOptions } from './sync-connections';
import type { FeedPost, FriendView, RequestView, SocialNotice, SocialState } from './social-views';

/** What the social service needs from the peer host. */
export interface PeerAccess {
  isOnline(): boolean;
  sendToBroker(frame: BrokerFrame): void;
  /** Opens a sync data connection; throws when offline. */
  connect(handle: string): DataLink;
  /** Friends or blocks changed: send a fresh `PW_ALLOW`. */
  allowlistChanged(): void;
  /** `GET /api/handles/:handle`; rejects with the broker's sentence for unknown or retired handles. */
  lookupHandle(handle: string): Promise<void>;
}

export type SocialOptions = ConnectionOptions;

const DEFAULTS: SocialOptions = {
  dialTimeoutMs: 20_000,
  redialMs: 60_000,
  idleMs: 5 * 60_000,
  penaltyMs: 10 * 60_000,
  maxDials: 4,
  answerDelayMs: 15_000,
  linkLimits: DEFAULT_LINK_LIMITS,
};

export interface SocialServiceDeps {
  db: ContentDb;
  identity: Identity;
  access: PeerAccess;
  now(): number;
  randomBytes: RandomBytes;
  timers: Timers;
  /** Friends, requests or the feed changed (pages reload what they show). */
  onChange(): void;
  notify(notice: SocialNotice): void;
  options?: Partial<SocialOptions>;
}

const NOTIFY_AT_MOST = 3;
const FAREWELL_POLL_MS = 250;

export type SocialService = ReturnType<typeof createSocialService>;

/**
 * Friends, walls and sync for one signed-in account (issue 5): friend requests over the broker
 * relay, the allowlist, presence-driven dialing, one core sync session per connected friend,
 * own posts and the merged feed. All state is in the content database; the sets held here are
 * caches of it, loaded by `start()`.
 */
export function createSocialService(deps: SocialServiceDeps) {
  const options: SocialOptions = { ...DEFAULTS, ...deps.options };
  const { db, identity, access, timers } = deps;
  const me = identity.handle;
  const replica: Replica = createIdbReplica(db);
  const relay = createRelaySender({
    db,
    identity,
    randomBytes: deps.randomBytes,
    now: deps.now,
    isOnline: () => access.isOnline(),
    sendToBroker: (frame) => access.sendToBroker(frame),
  });

  const friends = new Set<string>();
  const blocked = new Set<string>();
  /** Friends whose wall ended with a goodbye: their account is deleted, nobody to dial. */
  const gone = new Set<string>();
  const problems: string[] = [];
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** Serialises every state change so relays, presence and UI actions never interleave. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  }

  const changed = (): void => {
    if (!stopped) deps.onChange();
  };

  function addProblem(sentence: string): void {
    problems.unshift(sentence);
    problems.splice(5);
  }

  function notifyPosts(wall: string, added: StoredEntry[]): void {
    const posts = added.filter(
      (e) => (e.header.kind === 'post' || e.header.kind === 'wallPost') && e.header.author !== me && !blocked.has(e.header.author),
    );
    for (const entry of posts.slice(-NOTIFY_AT_MOST)) {
      const text = postText(entry) ?? '';
      deps.notify({
        kind: 'post',
        title: `@${entry.header.author} posted`,
        message: text.length > 200 ? `${text.slice(0, 199)}…` : text,
        postId: entry.id,
      });
    }
    if (posts.length > NOTIFY_AT_MOST) {
      const more = posts.length - NOTIFY_AT_MOST;
      // One notification for the rest, but the badge still counts each post.
      deps.notify({ kind: 'post', title: `@${wall}`, message: `${more} more new posts`, postId: null, count: more });
    }
  }

  const connections = createSyncConnections({
    replica,
    identity,
    db,
    access,
    now: deps.now,
    randomBytes: deps.randomBytes,
    timers,
    options,
    mayConnect: (handle) => friends.has(handle) && !blocked.has(handle) && !gone.has(handle),
    onEvent(handle, event) {
      if (event.type === 'wallUpdated') {
        if (event.wall !== me) notifyPosts(event.wall, event.added);
        if (event.wall === handle && event.added.some((e) => e.header.kind === 'goodbye')) gone.add(handle);
      }
      if (event.type === 'keyChanged') {
        addProblem(`@${handle} now uses a different identity key that their old key did not sign. Peerwall stopped syncing with them; check the change with them before befriending again.`);
      }
    },
    onChange: changed,
    addProblem,
  });
  const dial = (handle: string): void => connections.dial(handle);
  const spread = (): void => connections.spread(friends);

  // ---- friendship ----------------------------------------------------------------------------

  async function loadCaches(): Promise<void> {
    for (const friend of await replica.friends()) {
      friends.add(friend.handle);
      if ((await replica.wallState(friend.handle))?.closed) gone.add(friend.handle);
    }
    for (const entry of await db.getAll('blocked')) blocked.add(entry.handle);
  }

  async function befriend(message: RelayMessage): Promise<void> {
    const pinned = await pinFriend(replica, message, deps.now);
    if (!pinned.ok) {
      addProblem(pinned.reason);
      return;
    }
    await db.delete('requests', message.from);
    friends.add(message.from);
    // No dial here: the other side may not allow us yet. The broker reports the friend online
    // once both allowlists hold each other, and presence starts the connection.
    access.allowlistChanged();
  }

  async function onRelay(src: string, body: unknown): Promise<void> {
    if (blocked.has(src)) return; // queued relays arrive before the broker knows our blocklist
    const parsed = parseRelayMessage(body, src, me);
    if (!parsed.ok) {
      console.warn(`[peerwall] Dropped a relay from @${src.slice(0, 15)}: ${parsed.reason}`);
      return;
    }
    const m = parsed.value;
    const request = await db.get('requests', src);
    switch (m.type) {
      case 'friend-request': {
        const friend = await replica.friend(src);
        if (friend) {
          // They lost our acceptance (or sent the request twice): answer again if the key is the pinned one.
          if (await isPinnedSender(replica, m)) await relay.send('friend-accept', src, { replyTo: m.nonce });
          else {
            // A new key without a rotation statement is a key change, never a silent re-pin (§4.2).
            addProblem(`@${src} asked to be friends again with a different identity key. Check with them (for example by phone) before you unfriend and befriend them again.`);
            changed();
          }
          return;
        }
        if (request?.direction === 'outgoing') {
          // Both asked: that is agreement.
          await relay.send('friend-accept', src, { replyTo: m.nonce });
          await befriend(m);
          break;
        }
        await db.put('requests', { handle: src, direction: 'incoming', message: m, at: deps.now() });
        if (!request) {
          deps.notify({ kind: 'request', title: 'Friend request', message: `@${src} wants to be your friend.`, postId: null });
        }
        break;
      }
      case 'friend-accept':
        if (request?.direction !== 'outgoing' || request.message.nonce !== m.replyTo) return;
        await db.delete('relayOutbox', request.message.nonce);
        await befriend(m);
        deps.notify({ kind: 'request', title: 'Friend request accepted', message: `@${src} accepted your friend request.`, postId: null });
        break;
      case 'friend-decline':
        if (request?.direction !== 'outgoing' || request.message.nonce !== m.replyTo) return;
        await db.delete('requests', src);
        await db.delete('relayOutbox', request.message.nonce);
        break;
      case 'unfriend':
        if (!(await isPinnedSender(replica, m))) return;
        await forget(src);
        break;
    }
    changed();
  }

  /** Ends everything with `handle` locally: pin, wall copy, outboxes, requests, connection. */
  async function forget(handle: string): Promise<void> {
    await forgetFriend(replica, handle);
    await relay.purge(handle);
    await db.delete('requests', handle);
    await db.delete('progress', handle);
    friends.delete(handle);
    gone.delete(handle);
    connections.forget(handle);
    access.allowlistChanged();
  }

  async function onRelayStatus(id: string, status: 'delivered' | 'queued' | 'rejected', reason: string | null): Promise<void> {
    const item = await db.get('relayOutbox', id);
    if (!item) return;
    // A friend request stays until answered: the receiver may have failed to store it (a full
    // disk), so it is sent again on each reconnect and the receiver shows it once.
    if (status === 'delivered' && item.body.type === 'friend-request') await db.put('relayOutbox', { ...item, status: 'delivered' });
    else if (status === 'delivered') await db.delete('relayOutbox', id);
    else if (status === 'queued') await db.put('relayOutbox', { ...item, status: 'queued' });
    else if (isFinalRejection(reason)) {
      await db.delete('relayOutbox', id);
      addProblem(relayProblem(item.to, item.body.type, reason));
      const request = await db.get('requests', item.to);
      if (request?.direction === 'outgoing' && request.message.nonce === id) {
        await db.delete('requests', item.to);
      }
    }
    changed();
  }

  function requireHandle(input: string): string {
    const parsed = parseHandle(input);
    if (!parsed.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
    if (parsed.handle === me) throw new PeerwallError('invalid_handle', 'That is your own handle.');
    return parsed.handle;
  }

  // ---- feed ------------------------------------------------------------------------------------

  async function feedPosts(limit: number, wall: string | null): Promise<FeedPost[]> {
    const items: FeedItemV2[] = [];
    // Both read newest first through an index and stop after `limit`: the cost does not grow
    // with the number of stored posts.
    const tx = db.transaction('feed');
    let cursor = wall
      ? await tx.store.index('byWall').openCursor(IDBKeyRange.bound([wall], [wall, []]), 'prev')
      : await tx.store.index('byTime').openCursor(null, 'prev');
    while (cursor && items.length < limit) {
      // A blocked handle's posts on a friend's wall stay in that wall's log but are never shown.
      if (!blocked.has(cursor.value.author)) items.push(cursor.value);
      cursor = await cursor.continue();
    }
    const progress = new Map((await db.getAll('progress')).map((p) => [p.handle, p.heldSeq]));
    return items.map((item) => ({
      ...item,
      waitingFor:
        item.wall === me
          ? [...friends]
              .filter((f) => !gone.has(f) && (progress.get(f) ?? 0) < item.seq && connections.presenceOf(f) !== 'online')
              .sort()
          : [],
    }));
  }

  async function state(): Promise<SocialState> {
    const progress = new Map((await db.getAll('progress')).map((p) => [p.handle, p.heldSeq]));
    const ownSeq = (await replica.wallState(me))?.seq ?? 0;
    const outbox = new Map((await db.getAll('relayOutbox')).map((i) => [i.id, i]));
    const friendViews: FriendView[] = (await replica.friends())
      .map((f) => {
        return {
          handle: f.handle,
          presence: connections.presenceOf(f.handle),
          since: f.since,
          problem: connections.penaltyOf(f.handle),
          waiting: gone.has(f.handle) ? 0 : Math.max(0, ownSeq - (progress.get(f.handle) ?? 0)),
          gone: gone.has(f.handle),
          safetyNumber: safetyNumber({ handle: me, key: identity.publicKey }, { handle: f.handle, key: f.key }),
        };
      })
      .sort((a, b) => a.handle.localeCompare(b.handle));
    const requests: RequestView[] = (await db.getAll('requests')).map((r) => {
      const item = outbox.get(r.message.nonce);
      return {
        handle: r.handle,
        direction: r.direction,
        at: r.at,
        note: r.message.note,
        delivery: !item || item.status === 'delivered' ? 'delivered' : item.status === 'queued' ? 'queued' : 'sending',
      };
    });
    return {
      friends: friendViews,
      incoming: requests.filter((r) => r.direction === 'incoming'),
      outgoing: requests.filter((r) => r.direction === 'outgoing'),
      blocked: [...blocked].sort(),
      problems: [...problems],
    };
  }

  return {
    replica,
    async start(): Promise<void> {
      await loadCaches();
    },
    /** Handles that may signal to us and handles whose relays the broker drops. */
    allowlist(): { handles: string[]; blocked: string[] } {
      const handles = new Set(friends);
      for (const handle of blocked) handles.delete(handle);
      return { handles: [...handles].sort(), blocked: [...blocked].sort() };
    },
    online(): void {
      void serial(() => relay.resendAll()).catch((e: unknown) => console.error('[peerwall] relay resend failed', e));
    },
    offline(): void {
      connections.clearPresence();
      changed();
    },
    serverMessage(message: unknown): void {
      if (typeof message !== 'object' || message === null) return;
      const m = message as Record<string, unknown>;
      const fail = (e: unknown) => console.error(`[peerwall] ${String(m.type)} failed`, e);
      if (m.type === 'PW_RELAY') {
        const incoming = parseIncomingRelay(m);
        if (incoming) {
          void serial(() => onRelay(incoming.src, incoming.body)).catch((e: unknown) => {
            if (isQuotaError(e)) {
              addProblem(`Your browser’s storage is full, so a message from @${incoming.src.slice(0, 15)} could not be saved. Nothing is lost: free some disk space and Peerwall receives it again when they next come online.`);
              changed();
            }
            fail(e);
          });
        }
      } else if (m.type === 'PW_RELAY_STATUS') {
        const status = parseRelayStatus(m);
        if (status) void serial(() => onRelayStatus(status.id, status.status, status.reason)).catch(fail);
      } else if (m.type === 'PW_PRESENCE') {
        const update = parsePresence(m);
        if (update) connections.onPresence(update.online, update.offline);
      }
    },
    /** An incoming sync connection: accepted from friends only. */
    incoming: (link: DataLink): void => connections.incoming(link),
    state: () => serial(state),
    feed: (limit: number, wall: string | null = null) => feedPosts(limit, wall),
    addFriend: (input: string, note = '') =>
      serial(async () => {
        const handle = requireHandle(input);
        if (blocked.has(handle)) throw new PeerwallError('blocked', `You blocked @${handle}. Unblock them first.`);
        if (friends.has(handle)) throw new PeerwallError('already_friends', `@${handle} is already your friend.`);
        const request = await db.get('requests', handle);
        if (request?.direction === 'outgoing') {
          throw new PeerwallError('already_requested', `You already asked @${handle}; the request waits for their answer.`);
        }
        await access.lookupHandle(handle);
        if (request?.direction === 'incoming') {
          await relay.send('friend-accept', handle, { replyTo: request.message.nonce });
          await befriend(request.message);
        } else {
          const sent = await relay.send('friend-request', handle, { note });
          await db.put('requests', { handle, direction: 'outgoing', message: sent, at: deps.now() });
        }
        changed();
        return state();
      }),
    answerRequest: (input: string, accept: boolean) =>
      serial(async () => {
        const handle = requireHandle(input);
        const request = await db.get('requests', handle);
        if (request?.direction !== 'incoming') throw new PeerwallError('no_request', `There is no friend request from @${handle}.`);
        if (accept) {
          await relay.send('friend-accept', handle, { replyTo: request.message.nonce });
          await befriend(request.message);
        } else {
          await relay.send('friend-decline', handle, { replyTo: request.message.nonce });
          await db.delete('requests', handle);
        }
        changed();
        return state();
      }),
    unfriend: (input: string) =>
      serial(async () => {
        const handle = requireHandle(input);
        if (!friends.has(handle)) throw new PeerwallError('not_friends', `@${handle} is not your friend.`);
        await forget(handle);
        // Sent after the purge so that only the notice itself waits for them.
        await relay.send('unfriend', handle);
        changed();
        return state();
      }),
    block: (input: string) =>
      serial(async () => {
        const handle = requireHandle(input);
        await forget(handle);
        await db.put('blocked', { handle, since: deps.now() });
        blocked.add(handle);
        access.allowlistChanged();
        changed();
        return state();
      }),
    unblock: (input: string) =>
      serial(async () => {
        const handle = requireHandle(input);
        await db.delete('blocked', handle);
        blocked.delete(handle);
        access.allowlistChanged();
        changed();
        return state();
      }),
    post: (text: string) =>
      serial(async (): Promise<FeedPost> => {
        let written;
        try {
          written = await writeOwnEntry(replica, identity, { kind: 'post', body: { text, media: [] } }, {
            randomBytes: deps.randomBytes,
            now: deps.now,
          });
        } catch (error) {
          if (isQuotaError(error)) {
            throw new PeerwallError('storage_full', 'Your browser’s storage is full, so the post was not saved. Free some disk space and try again; your text is still here.');
          }
          throw error;
        }
        if (!written.ok) throw new PeerwallError('invalid_post', postProblem(written.reason));
        spread();
        changed();
        const [post] = await feedPosts(1, null);
        return post && post.id === written.value.id ? post : { ...feedItem(written.value), waitingFor: [] };
      }),
    /**
     * Writes a goodbye entry and dials the friends the broker reports online so they take it
     * (account deletion). Waits until each of them holds it, at most `waitMs`.
     */
    async farewell(text: string, waitMs: number): Promise<void> {
      const written = await writeOwnEntry(replica, identity, { kind: 'goodbye', body: { text } }, {
        randomBytes: deps.randomBytes,
        now: deps.now,
      });
      if (!written.ok) return;
      spread();
      const deadline = deps.now() + waitMs;
      const reachable = (f: string) => !gone.has(f) && ['online', 'connecting'].includes(connections.presenceOf(f));
      while (deps.now() < deadline) {
        const progress = new Map((await db.getAll('progress')).map((p) => [p.handle, p.heldSeq]));
        if (![...friends].some((f) => reachable(f) && (progress.get(f) ?? 0) < written.value.seq)) return;
        await new Promise<void>((resolve) => timers.setTimeout(resolve, Math.min(FAREWELL_POLL_MS, deadline - deps.now())));
      }
    },
    stop(): void {
      stopped = true;
      connections.stop();
    },
  };
}

function isQuotaError(error: unknown): boolean {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') return true;
  return error instanceof Error && /quota/i.test(error.message);
}

function postProblem(reason: string): string {
  if (/empty/i.test(reason)) return 'Write something first.';
  return reason.endsWith('.') ? reason : `${reason}.`;
}
