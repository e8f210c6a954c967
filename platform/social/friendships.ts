import { fromHex } from '@/core/bytes';
import type { MediaStore } from '@/core/mediaStore';
import { pinFriend, unfriend as forgetFriend, isPinnedSender } from '@/core/friendship';
import { HANDLE_RULE, parseHandle } from '@/core/handle';
import { isRetiredKey } from '@/core/keyHistory';
import type { Identity } from '@/core/identity';
import type { RelayStore } from '@/core/relay';
import { parseRelayMessage, type RelayMessage } from '@/core/relayMessage';
import type { Replica } from '@/core/replica';
import type { RelayStatusFrame } from '@/core/signalling';
import { PeerwallError } from '../errors';
import type { PeerAccess } from '../ports';
import type { ChangeBatcher } from './social-changes';
import type { SocialCircle } from './social-circle';
import type { SocialStore } from './social-store';
import type { SocialNotice } from './social-views';
import { BROKER_KEEPS_MS, isFinalRejection, relayProblem, type RelaySender } from './relay-sender';

/** Our messages to someone that a new friendship with them makes wrong if they are still waiting to go. */
const ENDINGS = new Set(['unfriend', 'friend-cancel', 'friend-decline']);

export interface FriendshipDeps {
  identity: Identity;
  replica: Replica;
  store: SocialStore;
  circle: SocialCircle;
  relay: RelaySender;
  /** Reader passes and what is carried for friends (docs/protocol.md §7.5): unfriending revokes and forgets. */
  relayStore: RelayStore;
  access: Pick<PeerAccess, 'allowlistChanged' | 'lookupHandle'>;
  /** Ends the data connection and what it knows about a friend. */
  disconnect(handle: string): void;
  /** Photo files: a former friend's wall no longer keeps any. */
  media: Pick<MediaStore, 'dropWall'>;
  changes: ChangeBatcher;
  now(): number;
  notify(notice: SocialNotice): void;
  /** A friend asked again with a key its pinned key did not sign: a key change for the person to accept (§4.2). */
  /** `recovery`: the friend asked to restore its wall under the new key (`recover-request`, §8). */
  keyChanged(handle: string, key: Uint8Array, replyTo: string, recovery?: boolean): Promise<void>;
  /** Unfriended or blocked: a key change waiting for `handle` is void. */
  forgetKeyChange(handle: string): Promise<void>;
}

/**
 * Friendships over the broker relay (docs/protocol.md §4.3): requests, answers, unfriending and
 * blocking, both as the person's actions and as signed messages from others. Runs inside the
 * social service's serial queue.
 */
export function createFriendships(deps: FriendshipDeps) {
  const { replica, store, circle, relay, access, changes } = deps;
  const me = deps.identity.handle;

  /**
   * Drops our waiting unfriend, cancel or decline to `handle`: sent after a new friendship began, an old
   * one would end it (an unfriend carries nothing tying it to one friendship).
   */
  async function dropEndings(handle: string): Promise<void> {
    for (const item of await store.relayItems()) {
      if (item.to !== handle || !ENDINGS.has(item.body.type)) continue;
      await store.deleteRelayItem(item.id);
      relay.settled(item.id);
    }
  }

  async function befriend(message: RelayMessage): Promise<void> {
    const pinned = await pinFriend(replica, message, deps.now);
    if (!pinned.ok) {
      circle.addProblem(pinned.reason);
      return;
    }
    await dropEndings(message.from);
    await store.deleteRequest(message.from);
    await store.setUnfriended(message.from, null); // friends again: the old notice is stale
    circle.befriended(message.from);
    // No dial here: the other side may not allow us yet. The broker reports the friend online
    // once both allowlists hold each other, and presence starts the connection.
    access.allowlistChanged();
  }

  /** Ends everything with `handle` locally: pin, wall copy, outboxes, requests, connection. */
  async function forget(handle: string): Promise<void> {
    await forgetFriend(replica, handle, { store: deps.relayStore, owner: deps.identity, now: deps.now() });
    await deps.media.dropWall(handle);
    await relay.purge(handle);
    await store.deleteRequest(handle);
    await store.forgetProgress(handle);
    await store.forgetWallSync(handle);
    await deps.forgetKeyChange(handle);
    circle.forgotten(handle);
    deps.disconnect(handle);
    access.allowlistChanged();
    changes.feed(); // their posts leave the feed
  }

  async function onFriendRequest(m: RelayMessage, request: Awaited<ReturnType<SocialStore['request']>>): Promise<void> {
    const src = m.from;
    if (await replica.friend(src)) {
      // They lost our acceptance (or sent the request twice): answer again if the key is the pinned one.
      if (await isPinnedSender(replica, m)) await relay.send('friend-accept', src, { replyTo: m.nonce });
      // A new key without a rotation statement is a key change, never a silent re-pin (§4.2).
      else {
        const key = fromHex(m.key, 32);
        if (key) await deps.keyChanged(src, key, m.nonce);
      }
      return;
    }
    if (request?.direction === 'outgoing') {
      // Both asked: that is agreement.
      await relay.send('friend-accept', src, { replyTo: m.nonce });
      await befriend(m);
      return;
    }
    await store.putRequest({ handle: src, direction: 'incoming', message: m, at: deps.now() });
    if (!request) deps.notify({ kind: 'request', title: 'Friend request', message: `@${src} wants to be your friend.`, postId: null });
  }

  function requireHandle(input: string): string {
    const parsed = parseHandle(input);
    if (!parsed.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
    if (parsed.handle === me) throw new PeerwallError('invalid_handle', 'That is your own handle.');
    return parsed.handle;
  }

  async function answer(request: RelayMessage, accept: boolean): Promise<void> {
    if (accept) {
      await relay.send('friend-accept', request.from, { replyTo: request.nonce });
      await befriend(request);
    } else {
      await relay.send('friend-decline', request.from, { replyTo: request.nonce });
      await store.deleteRequest(request.from);
    }
  }

  return {
    /** A signed friendship message relayed by the broker from `src`. */
    async onRelay(src: string, body: unknown): Promise<void> {
      if (circle.blocked.has(src)) return; // queued relays arrive before the broker knows our blocklist
      const parsed = parseRelayMessage(body, src, me);
      if (!parsed.ok) {
        console.warn(`[peerwall] Dropped a relay from @${src.slice(0, 15)}: ${parsed.reason}`);
        return;
      }
      const m = parsed.value;
      const request = await store.request(src);
      const answersOurs = request?.direction === 'outgoing' && request.message.nonce === m.replyTo;
      switch (m.type) {
        case 'friend-request':
          await onFriendRequest(m, request);
          break;
        case 'friend-accept':
          if (!answersOurs) {
            // The answer to a request we cancelled: they pinned us already, so say we are not friends
            // rather than leave them listing a friend who never comes online (§4.3). Only then, and once:
            // anyone can sign an acceptance, and answering every one would let a stranger fill our relay
            // outbox and learn when we come online.
            const cancelled = !request && !circle.friends.has(src) && (await store.takeCancelled(src, m.replyTo, deps.now() - BROKER_KEEPS_MS));
            if (cancelled) await relay.send('unfriend', src);
            return;
          }
          await store.deleteRelayItem(request.message.nonce);
          await befriend(m);
          deps.notify({ kind: 'request', title: 'Friend request accepted', message: `@${src} accepted your friend request.`, postId: null });
          break;
        case 'friend-decline':
          if (!answersOurs) return;
          await store.deleteRequest(src);
          await store.deleteRelayItem(request.message.nonce);
          break;
        case 'friend-cancel':
          // Only the request it names: an older or replayed cancel must not touch a newer request.
          if (request?.direction !== 'incoming' || request.message.nonce !== m.replyTo) return;
          await store.deleteRequest(src);
          break;
        case 'recover-request': {
          // Only a friend can be restored; anyone else's is dropped unanswered (§4.3).
          const key = circle.friends.has(src) ? fromHex(m.key, 32) : null;
          const pinned = key ? await replica.friend(src) : null;
          // Nor one signed by a key the friend retired: a thief with the lost laptop (§8).
          if (!key || !pinned || isRetiredKey(pinned, key)) return;
          await deps.keyChanged(src, key, m.nonce, true);
          break;
        }
        case 'unfriend':
          if (!(await isPinnedSender(replica, m))) return;
          await forget(src);
          // A quiet notice on the friend list, not a notification: see issue 16.
          await store.setUnfriended(src, deps.now());
          break;
      }
      changes.friends();
    },
    /** The broker's answer about one of our relays. */
    async onRelayStatus({ payload }: RelayStatusFrame): Promise<void> {
      const { id, status } = payload;
      const reason = payload.reason ?? null;
      const item = await store.relayItem(id);
      if (!item) return;
      if (status !== 'rejected') relay.settled(id);
      // A friend request stays until answered: the receiver may have failed to store it (a full
      // disk), so it is sent again on each reconnect and the receiver shows it once.
      if (status === 'delivered' && item.body.type === 'friend-request') await store.putRelayItem({ ...item, status: 'delivered' });
      else if (status === 'delivered') await store.deleteRelayItem(id);
      // The broker holds it or delivered it (it says which only to a receiver's friends): kept, and
      // sent again on reconnects until answered, or the receiver lists us, or the broker dropped it.
      else if (status === 'queued' || status === 'accepted') await store.putRelayItem({ ...item, status });
      else if (isFinalRejection(reason)) {
        await store.deleteRelayItem(id);
        circle.addProblem(relayProblem(item.to, item.body.type, reason));
        const request = await store.request(item.to);
        if (request?.direction === 'outgoing' && request.message.nonce === id) await store.deleteRequest(item.to);
      } else relay.retryLater(id);
      changes.friends();
    },
    /**
     * The broker reports `handles` online to us, so each lists us as a friend: our acceptance
     * reached them, and need not be sent again.
     */
    async onFriendsOnline(handles: readonly string[]): Promise<void> {
      const online = new Set(handles);
      for (const item of await store.relayItems()) {
        if (online.has(item.to) && item.body.type === 'friend-accept') await store.deleteRelayItem(item.id);
      }
    },
    async addFriend(input: string, note = ''): Promise<void> {
      const handle = requireHandle(input);
      if (circle.blocked.has(handle)) throw new PeerwallError('blocked', `You blocked @${handle}. Unblock them first.`);
      if (circle.friends.has(handle)) throw new PeerwallError('already_friends', `@${handle} is already your friend.`);
      const request = await store.request(handle);
      if (request?.direction === 'outgoing') {
        throw new PeerwallError('already_requested', `You already asked @${handle}; the request waits for their answer.`);
      }
      await access.lookupHandle(handle);
      await dropEndings(handle); // asking again supersedes an unfriend, cancel or decline still waiting to go
      if (request?.direction === 'incoming') await answer(request.message, true);
      else {
        const sent = await relay.send('friend-request', handle, { note });
        await store.putRequest({ handle, direction: 'outgoing', message: sent, at: deps.now() });
      }
      changes.friends();
    },
    async answerRequest(input: string, accept: boolean): Promise<void> {
      const handle = requireHandle(input);
      const request = await store.request(handle);
      if (request?.direction !== 'incoming') throw new PeerwallError('no_request', `There is no friend request from @${handle}.`);
      await answer(request.message, accept);
      changes.friends();
    },
    /**
     * Withdraws our pending request to `input`: forgotten here (so a later acceptance makes no
     * friendship, see onRelay) and a `friend-cancel` tells them to drop it from their list.
     */
    async cancelRequest(input: string): Promise<void> {
      const handle = requireHandle(input);
      const request = await store.request(handle);
      if (request?.direction !== 'outgoing') throw new PeerwallError('no_request', `You have no pending friend request to @${handle}.`);
      const nonce = request.message.nonce;
      await store.rememberCancelled({ handle, nonce, at: deps.now() }, deps.now() - BROKER_KEEPS_MS);
      await store.deleteRequest(handle);
      await store.deleteRelayItem(nonce); // or it would be sent again on the next reconnect
      relay.settled(nonce);
      await relay.send('friend-cancel', handle, { replyTo: nonce });
      changes.friends();
    },
    /** Forgets the notice that `input` unfriended us. */
    async dismissUnfriended(input: string): Promise<void> {
      const parsed = parseHandle(input);
      if (!parsed.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
      await store.setUnfriended(parsed.handle, null);
      changes.friends();
    },
    async unfriend(input: string): Promise<void> {
      const handle = requireHandle(input);
      if (!circle.friends.has(handle)) throw new PeerwallError('not_friends', `@${handle} is not your friend.`);
      await forget(handle);
      // Sent after the purge so that only the notice itself waits for them.
      await relay.send('unfriend', handle);
      changes.friends();
    },
    async block(input: string): Promise<void> {
      const handle = requireHandle(input);
      await forget(handle);
      await store.block(handle, deps.now());
      circle.setBlocked(handle, true);
      access.allowlistChanged();
      changes.friends();
    },
    async unblock(input: string): Promise<void> {
      const handle = requireHandle(input);
      await store.unblock(handle);
      circle.setBlocked(handle, false);
      access.allowlistChanged();
      changes.friends();
    },
  };
}

export type Friendships = ReturnType<typeof createFriendships>;
