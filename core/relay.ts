import { bytesEqual } from './bytes';
import type { SignedEntry } from './entry';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import { issuePass, type ReaderPass } from './readerPass';
import { issueRevocations, type Revocations } from './revocations';

/** A submission this side carries from its author to the owner of `wall` (docs/protocol.md §7.5). */
export type CarriedItem = { id: string; wall: string; entry: SignedEntry; bytes: number; carriedAt: number };

/**
 * What relaying needs to keep besides the walls themselves (docs/protocol.md §7.5). Async and
 * copy-returning like `Replica`, so an IndexedDB implementation can follow the in-memory one.
 */
export interface RelayStore {
  /** Passes friends gave this side for their walls, the newest per wall. */
  passes(): Promise<ReaderPass[]>;
  putPass(pass: ReaderPass): Promise<void>;
  dropPass(wall: string): Promise<void>;
  /** The pass this side last gave `reader` for its own wall; its tag names the friendship. */
  issued(reader: string): Promise<ReaderPass | null>;
  putIssued(pass: ReaderPass): Promise<void>;
  dropIssued(reader: string): Promise<void>;
  /** The newest revocation list known for `wall` (this side's own wall included). */
  revocations(wall: string): Promise<Revocations | null>;
  putRevocations(list: Revocations): Promise<void>;
  /** Submissions carried for `wall`'s owner, oldest first. */
  carried(wall: string): Promise<CarriedItem[]>;
  /** The ids of what is carried for `wall`, without reading any entry. */
  carriedIds(wall: string): Promise<string[]>;
  /** How many carried submissions `author` wrote, over all walls, without reading any entry. */
  carriedCount(author: string): Promise<number>;
  /** How many carried submissions there are and their encoded size, over all walls. */
  carriedTotals(): Promise<{ count: number; bytes: number }>;
  addCarried(item: CarriedItem): Promise<void>;
  removeCarried(wall: string, ids: readonly string[]): Promise<void>;
  /** Forgets what has been carried since before `at` (its author has long had other chances). */
  dropCarriedBefore(at: number): Promise<void>;
}

const copy = <T>(value: T): T => structuredClone(value);

/** The in-memory `RelayStore`, used by tests and the simulation, and the reference for others. */
export function createMemoryRelayStore(): RelayStore {
  const passes = new Map<string, ReaderPass>();
  const issued = new Map<string, ReaderPass>();
  const revocations = new Map<string, Revocations>();
  const carried = new Map<string, CarriedItem>();
  return {
    passes: async () => [...passes.values()].map(copy),
    putPass: async (pass) => void passes.set(pass.wall, copy(pass)),
    dropPass: async (wall) => void passes.delete(wall),
    issued: async (reader) => copy(issued.get(reader) ?? null),
    putIssued: async (pass) => void issued.set(pass.reader, copy(pass)),
    dropIssued: async (reader) => void issued.delete(reader),
    revocations: async (wall) => copy(revocations.get(wall) ?? null),
    putRevocations: async (list) => void revocations.set(list.wall, copy(list)),
    carried: async (wall) => [...carried.values()].filter((c) => c.wall === wall).map(copy),
    carriedIds: async (wall) => [...carried.values()].filter((c) => c.wall === wall).map((c) => c.id),
    carriedCount: async (author) => [...carried.values()].filter((c) => c.entry.header.author === author).length,
    carriedTotals: async () => ({ count: carried.size, bytes: [...carried.values()].reduce((sum, c) => sum + c.bytes, 0) }),
    dropCarriedBefore: async (at) => {
      for (const [id, c] of [...carried]) if (c.carriedAt < at) carried.delete(id);
    },
    addCarried: async (item) => void carried.set(item.id, copy(item)),
    removeCarried: async (wall, ids) => {
      for (const id of ids) if (carried.get(id)?.wall === wall) carried.delete(id);
    },
  };
}

/**
 * The pass to give a friend now: the one given last while it is younger than a day and names the
 * friend's current key, else a fresh one under the same tag (a new friendship gets a new tag).
 */
export async function passFor(store: RelayStore, owner: Identity, reader: { handle: string; key: Uint8Array }, now: number, randomBytes: RandomBytes): Promise<ReaderPass> {
  const last = await store.issued(reader.handle);
  const fresh = last && last.issuedAt + LIMITS.passRenewMs > now && last.issuedAt <= now && last.expiresAt > now;
  if (last && fresh && bytesEqual(last.readerKey, reader.key) && bytesEqual(last.ownerKey, owner.publicKey)) return last;
  const pass = issuePass(owner, reader, last?.tag ?? randomBytes(16), now);
  await store.putIssued(pass);
  return pass;
}

/**
 * The friendship with `reader` ended (unfriended or blocked, either side): its tag goes on the
 * owner's revocation list, which travels to every friend holding the wall, and no pass names it again.
 */
export async function revokeReader(store: RelayStore, owner: Identity, reader: string, now: number): Promise<Revocations | null> {
  const last = await store.issued(reader);
  if (!last) return null;
  const list = issueRevocations(owner, await store.revocations(owner.handle), [{ tag: last.tag, until: last.expiresAt }], now);
  await store.putRevocations(list);
  await store.dropIssued(reader);
  return list;
}

/**
 * Which session pulls which wall, shared by one side's sessions so a wall is fetched from one
 * friend at a time; a session that found the wall taken is called back when it is free. A pull
 * that made no progress for `staleMs` (a friend that stopped answering) may be taken over.
 */
export type WallPulls = ReturnType<typeof createWallPulls>;

export function createWallPulls(now: () => number, staleMs = 30_000) {
  const owners = new Map<string, { who: symbol; at: number }>();
  const waiting = new Map<string, Map<symbol, () => void>>();
  return {
    /**
     * Takes `wall` for `who` (again: each batch renews the claim); false while another session pulls
     * it. `force` takes it anyway: the owner's own session never waits for a relay.
     */
    claim(wall: string, who: symbol, force = false): boolean {
      const owner = owners.get(wall);
      if (!force && owner && owner.who !== who && now() - owner.at < staleMs) return false;
      owners.set(wall, { who, at: now() });
      return true;
    },
    /** Calls `retry` once when `wall` is released by its current puller. */
    wait(wall: string, who: symbol, retry: () => void): void {
      const queue = waiting.get(wall) ?? new Map<symbol, () => void>();
      queue.set(who, retry);
      waiting.set(wall, queue);
    },
    release(wall: string, who: symbol): void {
      if (owners.get(wall)?.who !== who) return;
      owners.delete(wall);
      const queue = waiting.get(wall);
      waiting.delete(wall);
      for (const retry of queue?.values() ?? []) retry();
    },
    /** A session ends: frees what it pulls and stops waiting. */
    releaseAll(who: symbol): void {
      for (const queue of waiting.values()) queue.delete(who);
      for (const [wall, owner] of [...owners]) if (owner.who === who) this.release(wall, who);
    },
  };
}
