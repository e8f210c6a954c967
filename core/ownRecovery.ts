import { appendRecovery } from './recoveryEntry';
import type { Identity, RandomBytes } from './identity';
import { planIngest } from './ingest';
import { LIMITS } from './limits';
import { createMemoryReplica } from './memoryReplica';
import type { Replica, StoredEntry } from './replica';
import { type Result, fail, ok } from './result';
import type { SealedEntry } from './seal';
import { pureVerifier, type Verifier } from './verifier';

export type OwnRecoveryEvent =
  /** A named friend's copy is complete (`seq` entries). */
  | { type: 'copyComplete'; friend: string; seq: number }
  /**
   * Recovery is over: `identity` carries the whole key history (persist it), `seq` is the head after the
   * recovery entry, `from` the friend whose copy was kept (null when skipped, every copy was empty, or the
   * copy was stored before a restart and no copy now agrees with it) and
   * `disagreeing` the friends whose copies differ from it at some position past entry 1 (another version),
   * `otherWalls` those whose copy starts with another entry 1 (another wall altogether).
   */
  | { type: 'recovered'; identity: Identity; seq: number; from: string | null; disagreeing: string[]; otherWalls: string[] }
  | { type: 'failed'; reason: string };

export type OwnRecoveryDeps = {
  replica: Replica;
  /** The fresh identity: a new key and no history. */
  identity: Identity;
  /** The friends asked to restore the wall (at most LIMITS.recoveryFriends). */
  named: readonly string[];
  randomBytes: RandomBytes;
  now: () => number;
  verifier?: Verifier;
  /** Runs `run` after `ms`; returns a cancel. Passed in so tests control time. */
  setTimer(run: () => void, ms: number): () => void;
  waitMs?: number;
  /** The most a candidate copy may hold (LIMITS.recoveryCopyEntries / recoveryCopyBytes unless a test says). */
  maxCopy?: { entries: number; bytes: number };
  onEvent?: (e: OwnRecoveryEvent) => void;
};

/** `entries` and `bytes` (headers and bodies) count what the copy holds, bounded by LIMITS.recoveryCopy*. */
type Copy = { replica: Replica; complete: boolean; entries: number; bytes: number };

/** What an entry costs a candidate copy in memory: its body and, roughly, its header and seal. */
const ENTRY_OVERHEAD_BYTES = 512;
const entryBytes = (e: SealedEntry): number => ENTRY_OVERHEAD_BYTES + (e.body?.length ?? 0);

/**
 * Recovering one's own wall without the key (docs/protocol.md §8, version 5). Each named friend's answer
 * is verified into its own candidate copy, anchored at the key that sealed its entry 1 (trust on first use
 * of a friend one named and who confirmed). After the first complete copy with entries it waits for every
 * named friend, at most `waitMs`, keeps the longest copy, says which friends disagree with it, appends the
 * recovery entry and leaves recovery; the wall starts empty only when every named friend answered empty
 * (or on Skip). Shared by every sync session of the recovering side.
 */
export function createOwnRecovery(d: OwnRecoveryDeps) {
  if (d.named.length === 0 || d.named.length > LIMITS.recoveryFriends) {
    throw new RangeError(`Name between 1 and ${LIMITS.recoveryFriends} friends to restore your wall from.`);
  }
  const me = d.identity.handle;
  const verifier = d.verifier ?? pureVerifier;
  const maxCopy = d.maxCopy ?? { entries: LIMITS.recoveryCopyEntries, bytes: LIMITS.recoveryCopyBytes };
  const copies = new Map<string, Copy>();
  const listeners = new Set<() => void>();
  let state: 'waiting' | 'deciding' | 'done' = 'waiting';
  let cancelTimer: (() => void) | null = null;
  let identity = d.identity;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  const copyOf = (friend: string): Copy => {
    let copy = copies.get(friend);
    if (!copy) copies.set(friend, (copy = { replica: createMemoryReplica(), complete: false, entries: 0, bytes: 0 }));
    return copy;
  };
  const held = async (friend: string) => (await copies.get(friend)?.replica.wallState(me))?.seq ?? 0;

  /** Checks a batch of one's own wall from `friend` into that friend's candidate copy; nothing else is written. */
  async function offer(friend: string, entries: readonly SealedEntry[]): Promise<Result<{ held: number }>> {
    if (!d.named.includes(friend)) return fail(`@${friend} was not asked to restore your wall`);
    if (state !== 'waiting' || entries.length === 0) return ok({ held: await held(friend) });
    const copy = copyOf(friend);
    const anchor = entries[0]!.header.wallKey; // used only while the copy is empty, where entry 1 must come first
    // Rule 9 knows no author here: the lost key was one's own, and the replica knew nobody's key then.
    const plan = await planIngest(copy.replica, me, entries, anchor, d.now, new Map(), { verifier, recovery: 'any' });
    if (!plan.ok) return plan;
    const entriesAfter = copy.entries + plan.value.append.length;
    const bytesAfter =
      copy.bytes + plan.value.append.reduce((sum, e) => sum + entryBytes(e), 0) + plan.value.fillBodies.reduce((sum, f) => sum + f.body.length, 0);
    if (entriesAfter > maxCopy.entries || bytesAfter > maxCopy.bytes) {
      copies.delete(friend); // its memory goes now; the friend may answer again within the bound
      const mib = Math.round((maxCopy.bytes / (1024 * 1024)) * 10) / 10;
      return fail(`@${friend}'s copy of your wall is larger than ${maxCopy.entries} entries or ${mib} MiB, so it was not taken`);
    }
    const committed = await copy.replica.commit(plan.value);
    if (!committed.ok) return committed;
    copy.entries = entriesAfter;
    copy.bytes = bytesAfter;
    return ok({ held: await held(friend) });
  }

  /** `friend`'s copy reached the head it announced. */
  async function complete(friend: string): Promise<void> {
    if (state !== 'waiting' || !d.named.includes(friend)) return;
    const copy = copyOf(friend);
    if (copy.complete) return;
    copy.complete = true;
    const seq = await held(friend);
    d.onEvent?.({ type: 'copyComplete', friend, seq });
    if (d.named.every((f) => copies.get(f)?.complete)) return decide();
    // An empty answer proves nothing (a friend who never pulled the wall, or hides it): only a copy with
    // entries starts the wait; an empty wall needs every named friend to answer empty, or a Skip.
    if (seq > 0) cancelTimer ??= d.setTimer(() => void serial(decide), d.waitMs ?? LIMITS.recoveryWaitMs);
  }

  /** Runs inside `serial` only. */
  async function decide(): Promise<void> {
    if (state !== 'waiting') return;
    state = 'deciding';
    cancelTimer?.();
    const done = [...copies.entries()].filter(([, c]) => c.complete);
    const read = await Promise.all(done.map(async ([friend, c]) => ({ friend, entries: await c.replica.entriesAfter(me, 0, Number.MAX_SAFE_INTEGER) })));
    // A copy stored before a restart, whose recovery entry the browser did not get to append, is the one
    // chosen then: it is finished, not replaced (another copy would conflict with it forever).
    const storedSeq = (await d.replica.wallState(me))?.seq ?? 0;
    const stored = storedSeq > 0 ? await d.replica.entriesAfter(me, 0, storedSeq) : [];
    const agreeing = read.find((c) => c.entries.length > 0 && agrees(c.entries, stored));
    const kept = stored.length > 0 ? { friend: agreeing?.friend ?? null, entries: stored } : chooseCopy(read);
    const sameWall = (c: (typeof read)[number]) => kept !== null && c.entries[0]?.id === kept.entries[0]?.id;
    const disagreeing = kept ? read.filter((c) => c !== kept && c.entries.length > 0 && sameWall(c) && !agrees(c.entries, kept.entries)).map((c) => c.friend) : [];
    const otherWalls = kept ? read.filter((c) => c.entries.length > 0 && !sameWall(c)).map((c) => c.friend) : [];
    const outcome = kept && kept.entries.length > 0 ? await restore(stored.length > 0 ? [] : kept.entries) : ok(identity);
    if (!outcome.ok) {
      // Asked again from the start when each named friend next connects: the copies go, and with them
      // whatever in them may have made it fail; nothing of them was kept.
      copies.clear();
      cancelTimer = null;
      state = 'waiting';
      d.onEvent?.({ type: 'failed', reason: outcome.reason });
      return;
    }
    await finish(outcome.value, kept && kept.entries.length > 0 ? kept.friend : null, disagreeing, otherWalls);
  }

  /** Stores `entries` (none when the copy is held already) and appends the recovery entry after them. */
  async function restore(entries: StoredEntry[]): Promise<Result<Identity>> {
    if (entries.length === 0) return appendRecovery(d.replica, identity, { randomBytes: d.randomBytes, now: d.now, verifier });
    const plan = await planIngest(d.replica, me, entries, entries[0]!.header.wallKey, d.now, new Map(), { verifier, recovery: 'any' });
    if (!plan.ok) return plan;
    const committed = await d.replica.commit(plan.value);
    if (!committed.ok) return fail(committed.reason);
    return appendRecovery(d.replica, identity, { randomBytes: d.randomBytes, now: d.now, verifier });
  }

  async function finish(next: Identity, from: string | null, disagreeing: string[], otherWalls: string[]): Promise<void> {
    identity = next;
    state = 'done';
    await d.replica.setRecovering(false);
    d.onEvent?.({ type: 'recovered', identity, seq: (await d.replica.wallState(me))?.seq ?? 0, from, disagreeing, otherWalls });
    for (const listener of listeners) listener();
  }

  return {
    /** True until the wall was restored or the person skipped. */
    get active(): boolean {
      return state !== 'done';
    },
    /** The identity with its history once recovered; the fresh one before. */
    get identity(): Identity {
      return identity;
    },
    /** How far `friend`'s candidate copy goes, to ask it for what follows. */
    held,
    offer: (friend: string, entries: readonly SealedEntry[]) => serial(() => offer(friend, entries)),
    complete: (friend: string) => serial(() => complete(friend)).then(() => undefined),
    /** Named friends whose copy has not arrived: "Waiting for @alice or @bob to confirm your new key". */
    waitingFor: (): string[] => d.named.filter((f) => !copies.get(f)?.complete),
    /** The person gives up waiting: the wall starts over, empty, at the new key. */
    skip: () =>
      serial(async () => {
        if (state !== 'waiting') return;
        cancelTimer?.();
        await finish(identity, null, [], []);
      }),
    /** Runs `listener` once recovery is over (a session then tells its friend, §8); returns a cancel. */
    onDone(listener: () => void): () => void {
      if (state === 'done') listener();
      else listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** Resolves once the work started so far (checks, a decision) is done. */
    idle: (): Promise<unknown> => queue,
  };
}

type Candidate = { friend: string | null; entries: StoredEntry[] };

/**
 * The copy to keep (§8 step 3): copies are grouped by their entry 1 (one wall each); the wall most friends
 * hold wins, on a tie the one of the friend who answered first, so a friend cannot replace the wall with one
 * of its own by making it longer. Within it the longest copy; on a tie the one that answered first.
 */
function chooseCopy(read: readonly Candidate[]): Candidate | null {
  const held = read.filter((c) => c.entries.length > 0);
  if (held.length === 0) return read[0] ?? null;
  const holders = (c: Candidate) => held.filter((o) => o.entries[0]!.id === c.entries[0]!.id);
  const wall = held.reduce((best, c) => (holders(c).length > holders(best).length ? c : best));
  return holders(wall).reduce((best, c) => (c.entries.length > best.entries.length ? c : best));
}

/** Two copies agree when every position both hold has the same entry. */
function agrees(a: readonly StoredEntry[], b: readonly StoredEntry[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i]!.id !== b[i]!.id) return false;
  return true;
}

export type OwnRecovery = ReturnType<typeof createOwnRecovery>;
