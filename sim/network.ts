import { writeOwnEntry } from '../core/author';
import { passFor } from '../core/relay';
import { createIdentity, type Identity, type RandomBytes } from '../core/identity';
import { createMemoryReplica } from '../core/memoryReplica';
import type { Replica } from '../core/replica';
import type { RelayDeps } from '../core/syncRelay';
import { createSyncSession, type SyncEvent, type SyncSession } from '../core/syncSession';
import { createMemoryTransportPair } from '../core/transport';
import type { FriendGraph } from './graph';
import { createRelayDeps, type Mode, passWallOn } from './mode';
import { type Rng, seededRandomBytes } from './random';
import type { Meeting } from './warmup';

/** Sim time 0 on the core's clock: a Monday, UTC midnight. */
const EPOCH = Date.UTC(2025, 2, 3);

/** Stands in for a real post's text (~200 characters), so byte counts are of a realistic size. */
const FILLER = ' — a short update about the day, a photo caption or a question for friends.'.repeat(3);

type User = { index: number; identity: Identity; replica: Replica; randomBytes: RandomBytes; relay: RelayDeps | undefined; open: Map<number, Link> };
/** `activity` counts frames sent and work handed to a session, so a quiet link is one where it stopped changing. */
type Link = { sessions: Map<number, SyncSession>; activity: number };

export type NetworkStats = { sessionsOpened: number; bytesSent: number; failedSessions: number; firstFailure: string | null };

/**
 * Peers running the real core: one identity and in-memory replica per user, friends pinned on both
 * sides, and a real sync session pair over an in-memory transport for each two friends online at
 * once. Every step runs until all sessions it touched are quiet, so results depend only on the
 * simulation clock, never on timing. `trace` sees every session event of every user (for debugging).
 */
export async function createNetwork(graph: FriendGraph, mode: Mode, rng: Rng, trace?: (user: number, event: SyncEvent) => void) {
  let clock = 0;
  const now = () => EPOCH + clock;
  const stats: NetworkStats = { sessionsOpened: 0, bytesSent: 0, failedSessions: 0, firstFailure: null };
  const users: User[] = graph.map((_, index) => {
    const randomBytes = seededRandomBytes(rng);
    const identity = createIdentity(`u${index}`, randomBytes);
    return { index, identity, replica: createMemoryReplica(), randomBytes, relay: createRelayDeps(mode, now), open: new Map() };
  });
  for (const [u, friends] of graph.entries()) {
    for (const f of friends) {
      const friend = users[f]!.identity;
      await users[u]!.replica.putFriend({ handle: friend.handle, key: friend.publicKey, rotations: [], since: now() });
    }
  }
  const online = new Set<number>();
  /** Post id → (user → when it stored the post). */
  const storedAt = new Map<string, Map<number, number>>();
  const busy = new Set<Link>();
  /** Work was handed to a session of `link`: settle it before the clock moves on. */
  const touch = (link: Link) => {
    link.activity++;
    busy.add(link);
  };

  function onEvent(user: User, link: Link, event: SyncEvent): void {
    trace?.(user.index, event);
    if (event.type === 'closed' && event.code !== null) {
      stats.failedSessions++;
      stats.firstFailure ??= `@${user.identity.handle}: ${event.code} ${event.reason}`;
    }
    if (event.type !== 'wallUpdated' || event.added.length === 0) return;
    for (const entry of event.added) {
      const holders = storedAt.get(entry.id);
      if (holders && !holders.has(user.index)) holders.set(user.index, clock);
    }
    if (event.wall === user.identity.handle) return;
    for (const other of user.open.values()) {
      if (other !== link && passWallOn(mode, other.sessions.get(user.index)!, event.wall)) touch(other);
    }
  }

  function open(a: User, b: User): void {
    const link: Link = { sessions: new Map(), activity: 0 };
    const pair = createMemoryTransportPair((frame) => {
      stats.bytesSent += frame.length;
      link.activity++;
      return [frame];
    });
    for (const [side, me, peer, transport] of [[0, a, b, pair[0]], [1, b, a, pair[1]]] as const) {
      link.sessions.set(me.index, createSyncSession({
        replica: me.replica, identity: me.identity, peer: peer.identity.handle, transport,
        // Any strings do, as long as each side's remote is the other's local.
        localFingerprint: side === 0 ? 'sha-256 aa' : 'sha-256 bb', remoteFingerprint: side === 0 ? 'sha-256 bb' : 'sha-256 aa',
        randomBytes: me.randomBytes, now, relay: me.relay,
        onEvent: (event) => onEvent(me, link, event),
      }));
    }
    a.open.set(b.index, link);
    b.open.set(a.index, link);
    stats.sessionsOpened++;
    for (const session of link.sessions.values()) session.start();
    touch(link);
  }

  /**
   * Runs every touched link until both ends are idle, nothing is unanswered, and a whole round of
   * waiting saw no frame and no new work on it: `settled()` alone can be true while a frame the
   * other end just sent still waits in the queue.
   */
  async function settle(): Promise<void> {
    for (let round = 0; busy.size > 0; round++) {
      if (round > 10_000) throw new Error(`${busy.size} sync sessions did not settle at ${clock} ms.`);
      for (const link of [...busy]) {
        const before = link.activity;
        const [a, b] = [...link.sessions.values()] as [SyncSession, SyncSession];
        await a.idle();
        await b.idle();
        if (link.activity === before && a.settled() && b.settled()) busy.delete(link);
      }
    }
  }

  return {
    stats,
    storedAt: storedAt as ReadonlyMap<string, ReadonlyMap<number, number>>,
    /**
     * Relay mode: each owner gives a friend its reader pass at their last meeting before the run,
     * as that session would have (a real owner may have reused one up to a day older). Direct: nothing.
     */
    async givePasses(meetings: readonly Meeting[]): Promise<void> {
      for (const { a, b, at } of meetings) {
        for (const [owner, reader] of [[users[a]!, users[b]!], [users[b]!, users[a]!]] as const) {
          if (!owner.relay || !reader.relay) continue;
          const pass = await passFor(owner.relay.store, owner.identity, { handle: reader.identity.handle, key: reader.identity.publicKey }, EPOCH + at, owner.randomBytes);
          await reader.relay.store.putPass(pass);
        }
      }
    },
    async comeOnline(user: number, at: number): Promise<void> {
      clock = at;
      online.add(user);
      for (const friend of graph[user]!) if (online.has(friend)) open(users[user]!, users[friend]!);
      await settle();
    },
    async goOffline(user: number, at: number): Promise<void> {
      clock = at;
      online.delete(user);
      const me = users[user]!;
      for (const [friend, link] of me.open) {
        link.sessions.get(user)!.close();
        users[friend]!.open.delete(user);
        touch(link);
      }
      me.open.clear();
      await settle();
    },
    /** Writes a post on the user's wall and announces it to the friends online now; returns its id. */
    async post(user: number, at: number, text: string): Promise<string> {
      clock = at;
      const me = users[user]!;
      const written = await writeOwnEntry(me.replica, me.identity, { kind: 'post', body: { text: text + FILLER, media: [] } }, { randomBytes: me.randomBytes, now });
      if (!written.ok) throw new Error(`@${me.identity.handle} could not post: ${written.reason}`);
      storedAt.set(written.value.id, new Map());
      for (const link of me.open.values()) {
        void link.sessions.get(user)!.announce();
        touch(link);
      }
      await settle();
      return written.value.id;
    },
  };
}
