/**
 * A script `bench:footprint` evaluates in the host's offscreen document (bundled by friend-bundle.ts): makes each
 * simulated friend a friend the way accepting its request does (platform/social/friendships.ts `befriend`):
 * the request is parsed and its signature checked (`parseRelayMessage`), the friend's key pinned (`pinFriend`)
 * and the "unfriended you" notice cleared, through the product's own IndexedDB code. The peer host reads its
 * friends when a session begins, so the harness restarts the browser afterwards; its first `PW_ALLOW` then
 * lists every friend, as it would after accepting them one by one.
 */
import { toHex } from '@/core/bytes';
import { pinFriend } from '@/core/friendship';
import { parseRelayMessage } from '@/core/relayMessage';
import { contentDbName, openContentDb } from '@/platform/content-db';
import { createIdbReplica } from '@/platform/social/idb-replica';
import { createSocialStore } from '@/platform/social/social-store';

export interface FriendshipSeed {
  /** The identity key of `me` (hex), as its friend requests and acceptances carry it. */
  identityKey(me: string): Promise<string>;
  /** Befriends the senders of `requests` (signed `friend-request` bodies to `me`); returns how many, and any refusals. */
  befriend(me: string, requests: unknown[]): Promise<{ pinned: number; problems: string[] }>;
}

const seed: FriendshipSeed = {
  async identityKey(me) {
    const db = await openContentDb(contentDbName(me));
    try {
      const identity = await db.get('identity', me);
      if (!identity) throw new Error(`@${me} has no identity key yet`);
      return toHex(identity.publicKey);
    } finally {
      db.close();
    }
  },
  async befriend(me, requests) {
    const db = await openContentDb(contentDbName(me));
    const replica = createIdbReplica(db);
    const store = createSocialStore(db);
    const problems: string[] = [];
    let pinned = 0;
    try {
      for (const body of requests) {
        const from = String((body as { from?: unknown } | null)?.from);
        const parsed = parseRelayMessage(body, from, me);
        const result = parsed.ok ? await pinFriend(replica, parsed.value, Date.now) : parsed;
        if (!result.ok) {
          problems.push(`@${from}: ${result.reason}`);
          continue;
        }
        await store.setUnfriended(from, null);
        pinned += 1;
      }
    } finally {
      db.close();
    }
    return { pinned, problems };
  },
};

(globalThis as { peerwallFriendshipSeed?: FriendshipSeed }).peerwallFriendshipSeed = seed;
