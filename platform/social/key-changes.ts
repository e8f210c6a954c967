import { bytesEqual, fromHex, toHex } from '@/core/bytes';
import { acceptKeyChange } from '@/core/friendship';
import { isRetiredKey } from '@/core/keyHistory';
import { confirmRecovery } from '@/core/recoveryConfirm';
import type { Identity } from '@/core/identity';
import type { MediaStore } from '@/core/mediaStore';
import type { RelayStore } from '@/core/relay';
import type { Replica } from '@/core/replica';
import type { PendingKeyChangeV6 } from '../content-db';
import { PeerwallError } from '../errors';
import type { PeerAccess } from '../ports';
import type { Conversation } from './conversation';
import type { RelaySender } from './relay-sender';
import type { ChangeBatcher } from './social-changes';
import type { SocialCircle } from './social-circle';
import type { SocialStore } from './social-store';
import type { SocialNotice } from './social-views';

export interface KeyChangeDeps {
  identity: Identity;
  replica: Replica;
  store: SocialStore;
  circle: SocialCircle;
  relay: Pick<RelaySender, 'send'>;
  relayStore: Pick<RelayStore, 'dropPass' | 'carried' | 'removeCarried'>;
  media: Pick<MediaStore, 'dropWall'>;
  conversation: Pick<Conversation, 'rejected'>;
  access: Pick<PeerAccess, 'allowlistChanged'>;
  /** The friend's refusal no longer holds: connect afresh. */
  reconnect(handle: string): void;
  changes: ChangeBatcher;
  now(): number;
  notify(notice: SocialNotice): void;
}

/** Why an entry queued for a friend whose new key was accepted can never reach them. */
export const oldWallGone = (handle: string): string =>
  `@${handle} now has a new identity key and their old wall is gone, so this can no longer reach them.`;

/**
 * A friend's identity key that their pinned key did not sign (docs/protocol.md §4.2): kept until the
 * person accepts it (it survives restarts; sync with the friend is refused meanwhile), announced once
 * per key. Accepting befriends the new identity: pin it, drop the old wall copy, re-sign the outbox for
 * the new key and tell the author what can no longer be delivered. Runs in the social service's queue.
 */
export function createKeyChanges(deps: KeyChangeDeps) {
  const { replica, store, circle, changes } = deps;

  /**
   * The person confirmed it is their friend asking to restore its wall (§8): the new key is pinned, the
   * wall copy kept for the recovery to continue, the outbox re-signed (nothing is dropped) and the friend
   * answered so it pins this side back.
   */
  async function confirm(handle: string, key: Uint8Array, replyTo: string): Promise<void> {
    const confirmed = await confirmRecovery(replica, deps.identity, handle, key);
    if (!confirmed.ok) throw new PeerwallError('not_found', confirmed.reason);
    await deps.relayStore.dropPass(handle); // signed by the lost key: the friend gives a new one
    await store.setKeyChange(handle, null);
    await deps.relay.send('friend-accept', handle, { replyTo });
    deps.access.allowlistChanged();
    deps.reconnect(handle);
    changes.friends();
  }

  return {
    /**
     * `handle` presented `key` in a sync `hello` or, with `replyTo`, in a friend request or (`recovery`) a
     * request to restore its wall (§8). Ignored for a stranger and for the pinned key itself (a request's
     * acceptance may simply have been lost).
     */
    async noticed(handle: string, key: Uint8Array, replyTo: string | null = null, recovery = false): Promise<void> {
      if (!circle.friends.has(handle)) return;
      const friend = await replica.friend(handle);
      // A key the friend retired (a lost laptop in a thief's hands, §8) is no new identity: dropped unshown.
      if (!friend || bytesEqual(friend.key, key) || isRetiredKey(friend, key)) return;
      const hex = toHex(key);
      const existing = (await store.keyChanges()).find((c) => c.handle === handle);
      const same = existing?.key === hex;
      // The request that came last decides what accepting does; a `hello` changes neither.
      if (same && (existing.replyTo === replyTo || replyTo === null)) return;
      const asksRecovery = replyTo === null ? same && existing.recovery === true : recovery;
      await store.setKeyChange(handle, {
        handle,
        key: hex,
        at: same ? existing.at : deps.now(),
        replyTo: replyTo ?? (same ? existing.replyTo : null),
        ...(asksRecovery ? { recovery: true as const } : {}),
      });
      if (!same || asksRecovery !== (existing.recovery === true)) {
        deps.notify({
          kind: 'request',
          title: asksRecovery ? 'Wall restore requested' : 'Identity key changed',
          message: asksRecovery
            ? `@${handle} says they lost their key and asks you to restore their wall. Compare the safety number in Friends before you confirm.`
            : `@${handle}’s identity key changed. Check it in Friends before you accept the new key.`,
          postId: null,
        });
      }
      changes.friends();
    },
    /** Key changes waiting, by handle. */
    async pending(): Promise<Map<string, PendingKeyChangeV6>> {
      return new Map((await store.keyChanges()).map((c) => [c.handle, c]));
    },
    async accept(handle: string): Promise<void> {
      const change = (await store.keyChanges()).find((c) => c.handle === handle);
      const key = change ? fromHex(change.key, 32) : null;
      if (!change || !key || !circle.friends.has(handle)) throw new PeerwallError('not_found', `@${handle} has no new key waiting to be accepted.`);
      if (change.recovery && change.replyTo) return confirm(handle, key, change.replyTo);
      const undeliverable = await acceptKeyChange(replica, deps.identity, handle, key, deps.now);
      await deps.media.dropWall(handle);
      // What was kept of or for the old identity (its reader pass, entries carried for its wall) is void.
      await deps.relayStore.dropPass(handle);
      await deps.relayStore.removeCarried(handle, (await deps.relayStore.carried(handle)).map((c) => c.id));
      await store.forgetWallSync(handle);
      await store.forgetProgress(handle); // the new identity holds none of our wall yet
      await store.setKeyChange(handle, null);
      for (const item of undeliverable) await deps.conversation.rejected(handle, item.id, oldWallGone(handle), item.entry);
      // A new wall: a goodbye on the old one no longer ends the friendship.
      circle.forgotten(handle);
      circle.befriended(handle);
      // The friend asked to be friends with the new key: the acceptance lets them pin ours.
      if (change.replyTo) await deps.relay.send('friend-accept', handle, { replyTo: change.replyTo });
      deps.access.allowlistChanged();
      deps.reconnect(handle);
      changes.friends();
      changes.feed();
    },
    /**
     * The person ignores a request to restore a friend's wall: it is forgotten, and sync with the new key
     * stays refused (a later `hello` with it is shown again as a plain key change).
     */
    async ignore(handle: string): Promise<void> {
      await store.setKeyChange(handle, null);
      changes.friends();
    },
    /** Unfriended or blocked: nothing is waiting any more. */
    forget: (handle: string): Promise<void> => store.setKeyChange(handle, null),
  };
}

export type KeyChanges = ReturnType<typeof createKeyChanges>;
