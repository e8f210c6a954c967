import { genesisKeyOf } from './author';
import { bytesEqual, compareBytes } from './bytes';
import type { FeedChange } from './feed';
import { type ForkStatement, type ForkStatements, signFork } from './forkStatement';
import { forkableAt, forkKey } from './forkKey';
import { createForkOverlay } from './forkView';
import type { Identity } from './identity';
import { planIngest } from './ingest';
import { knownAuthors } from './knownAuthors';
import type { Replica, StoredEntry } from './replica';
import { type SealedEntry, sealHash, sealOf, signSeal } from './seal';
import { pureVerifier, type Verifier } from './verifier';

/** Entries read from storage at a time while comparing two copies of a wall. */
const PAGE = 1024;
/** Kinds a repair does not seal anew: a rotation is bound to its position, a goodbye would close the wall. */
const NOT_RESEALED = new Set(['rotate', 'goodbye']);

export type ForkRepair = {
  /** The first position where the two copies differed. */
  seq: number;
  /** Whose branch the wall keeps from `seq` on: this side's own copy or the friend's. */
  kept: 'own' | 'friend';
  /** Entries of the other branch sealed anew after the kept one. */
  resealed: number;
  /** Entries of the other branch that were not valid at a new position (§8 Forks step 3). */
  leftOut: number;
  statement: ForkStatement;
  /** Every entry the wall holds from `seq` on, as stored. */
  added: StoredEntry[];
  /** Those of `added` this side did not hold before (the friend's branch): the news of the repair. */
  news: StoredEntry[];
  feed: FeedChange[];
};

export type ForkOutcome =
  | { type: 'none' }
  /** The friend holds a branch an earlier repair replaced: the statement that says so. */
  | { type: 'known'; statement: ForkStatement }
  /** `lasting`: the same copies will never join (not a write race): the fork is remembered as settled. */
  | { type: 'unrepairable'; reason: string; lasting: boolean }
  | { type: 'repaired'; repair: ForkRepair };

export type ForkRepairDeps = { statements: ForkStatements; now: () => number; verifier?: Verifier };

const sealHashOf = (e: SealedEntry): Uint8Array => sealHash(sealOf(e.header, e.seq, e.prev));

/** The first position both copies hold with different entries, or null when one is a prefix of the other. */
async function firstDifference(a: Replica, b: Replica, wall: string, upTo: number): Promise<{ seq: number; ours: StoredEntry; theirs: StoredEntry } | null> {
  for (let after = 0; after < upTo; after += PAGE) {
    const [ours, theirs] = await Promise.all([a.entriesAfter(wall, after, PAGE), b.entriesAfter(wall, after, PAGE)]);
    for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
      if (ours[i]!.id !== theirs[i]!.id) return { seq: ours[i]!.seq, ours: ours[i]!, theirs: theirs[i]! };
    }
  }
  return null;
}

async function allAfter(replica: Replica, wall: string, afterSeq: number): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for (;;) {
    const page = await replica.entriesAfter(wall, afterSeq + out.length, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/**
 * The owner's repair of a fork in its own wall (docs/protocol.md §8 Forks): `friendCopy` is a friend's whole
 * copy, already checked as one's own wall. From the first differing position the wall keeps the longer
 * branch, then seals anew every entry of the other branch it does not hold (ids cover headers only, so what
 * targets them stays attached), writes all of it in one write and makes the fork statement.
 */
export async function repairOwnFork(replica: Replica, identity: Identity, friendCopy: Replica, d: ForkRepairDeps): Promise<ForkOutcome> {
  // Own writes may land meanwhile (a post, a friend's submission): the repair is planned again on the new head.
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await repairOnce(replica, identity, friendCopy, d);
    if (outcome !== 'conflict') return outcome;
  }
  return { type: 'unrepairable', reason: 'your wall kept changing while it was being repaired; it is tried again at the next connection', lasting: false };
}

async function repairOnce(replica: Replica, identity: Identity, friendCopy: Replica, d: ForkRepairDeps): Promise<ForkOutcome | 'conflict'> {
  const me = identity.handle;
  const verifier = d.verifier ?? pureVerifier;
  const [own, theirs] = await Promise.all([replica.wallState(me), friendCopy.wallState(me)]);
  if (!own || !theirs) return { type: 'none' };
  const diff = await firstDifference(replica, friendCopy, me, Math.min(own.seq, theirs.seq));
  if (!diff) return { type: 'none' };
  const n = diff.seq;
  const [ourSeal, theirSeal] = [sealHashOf(diff.ours), sealHashOf(diff.theirs)];
  const known = (await standingStatements(replica, d.statements, me)).find((s) => s.seq === n && bytesEqual(s.replaced, theirSeal));
  if (known) return { type: 'known', statement: known };
  if (!bytesEqual(diff.ours.header.wallKey, identity.publicKey)) {
    return { type: 'unrepairable', reason: 'they were written under different keys', lasting: true };
  }
  const ownLength = own.seq - n + 1;
  const theirLength = theirs.seq - n + 1;
  const keepTheirs = theirLength > ownLength || (theirLength === ownLength && compareBytes(theirSeal, ourSeal) < 0);
  const overlay = await createForkOverlay(replica, me, n);
  if (!overlay) return { type: 'none' };
  const authors = knownAuthors(identity, await replica.friends());
  const options = { verifier, recovery: { newKey: identity.publicKey } };
  const [keptBranch, otherBranch] = await Promise.all([allAfter(keepTheirs ? friendCopy : replica, me, n - 1), allAfter(keepTheirs ? replica : friendCopy, me, n - 1)]);
  const kept = await planIngest(overlay, me, keptBranch, genesisKeyOf(identity), d.now, authors, options);
  if (!kept.ok) return { type: 'unrepairable', reason: kept.reason, lasting: true };
  await overlay.commit(kept.value);
  let resealed = 0;
  let leftOut = 0;
  for (const e of otherBranch) {
    if (await overlay.entryById(me, e.id)) continue;
    const state = (await overlay.wallState(me))!;
    if (NOT_RESEALED.has(e.header.kind) || !bytesEqual(state.currentKey, identity.publicKey)) {
      leftOut++;
      continue;
    }
    const seal = sealOf(e.header, state.seq + 1, state.sealHash);
    const sealed: SealedEntry = { header: e.header, authorSig: e.authorSig, body: e.tombstoned ? null : e.body, seq: seal.seq, prev: seal.prev, ownerSig: signSeal(seal, identity.secretKey) };
    const plan = await planIngest(overlay, me, [sealed], genesisKeyOf(identity), d.now, authors, options);
    if (plan.ok && (await overlay.commit(plan.value)).ok) resealed++;
    else leftOut++;
  }
  const result = overlay.written();
  const keptIds = new Set(result.append.map((e) => e.id));
  const before = await allAfter(replica, me, n - 1);
  const heldBefore = new Set(before.map((e) => e.id));
  const gone: FeedChange[] = before.filter((e) => !keptIds.has(e.id)).map((e) => ({ op: 'remove', id: e.id }));
  const feed = [...gone, ...result.feed];
  const statement = signFork({ wall: me, seq: n, replaced: keepTheirs ? ourSeal : theirSeal, kept: sealHashOf(result.append[0]!) }, identity.secretKey);
  // Keeping the friend's branch, the statement is kept before the write, so a crash between the two cannot
  // leave the repair without it: until the write lands the wall does not hold `kept`, and a statement kept
  // for a write that never landed does not stand (`standingStatements`). Keeping one's own branch, the wall
  // holds `kept` already: that statement is kept only after the write (a crash costs a pull next session).
  if (keepTheirs) {
    if ((await replica.wallState(me))?.seq !== own.seq) return 'conflict'; // no statement for a write bound to lose
    await d.statements.keep(statement);
  }
  const committed = await replica.commit({ wall: me, expectedSeq: own.seq, dropFrom: n, state: result.state, append: result.append, fillBodies: [], tombstone: result.tombstone, feed });
  if (!committed.ok) return committed.reason === 'conflict' ? 'conflict' : { type: 'unrepairable', reason: committed.reason, lasting: false };
  if (!keepTheirs) await d.statements.keep(statement);
  return { type: 'repaired', repair: { seq: n, kept: keepTheirs ? 'friend' : 'own', resealed, leftOut, statement, added: result.append, news: result.append.filter((e) => !heldBefore.has(e.id)), feed } };
}

/**
 * The statements of one's own wall that stand: the wall holds their `kept` entry at `seq`. A statement kept
 * for a repair whose write never landed (a crash, a lost race) does not, and is neither sent nor relied on.
 */
export async function standingStatements(replica: Replica, statements: ForkStatements, wall: string): Promise<ForkStatement[]> {
  const standing: ForkStatement[] = [];
  for (const s of await statements.held(wall)) {
    const at = (await replica.entriesAfter(wall, s.seq - 1, 1))[0];
    if (at && at.seq === s.seq && bytesEqual(sealHashOf(at), s.kept)) standing.push(s);
  }
  return standing;
}

export type ForkFollowed = 'applied' | 'kept' | 'unrelated' | 'refused';

/**
 * A reader's answer to a fork statement of `s.wall` (§8 Forks step 4). `applied`: it held the replaced entry
 * and the owner's current key (its pin, `forkKey`) sealed that entry and signed the statement, so its entries
 * from `s.seq` on were dropped in one write (pull the wall again). `kept`: it holds the kept branch; the
 * statement is kept to answer others. `refused`: any other key, or a recovery entry at `s.seq`. Else nothing changes.
 */
export async function followForkStatement(replica: Replica, statements: ForkStatements, s: ForkStatement, verify: (s: ForkStatement, key: Uint8Array) => boolean): Promise<ForkFollowed> {
  const held = await replica.wallState(s.wall);
  const at = held && held.seq >= s.seq ? (await replica.entriesAfter(s.wall, s.seq - 1, 1))[0] : undefined;
  if (!held || !at || at.seq !== s.seq) return 'unrelated';
  const seal = sealHashOf(at);
  if (!bytesEqual(seal, s.replaced) && !bytesEqual(seal, s.kept)) return 'unrelated';
  const key = forkKey(held, (await replica.friend(s.wall))?.key);
  if (!key || !forkableAt(at, key) || !verify(s, key)) return 'refused';
  await statements.keep(s);
  if (bytesEqual(seal, s.kept)) return 'kept';
  const dropped = await allAfter(replica, s.wall, s.seq - 1);
  const state = { ...held, seq: s.seq - 1, sealHash: at.prev, currentKey: at.header.wallKey, closed: false };
  const feed: FeedChange[] = dropped.map((e) => ({ op: 'remove', id: e.id }));
  const committed = await replica.commit({ wall: s.wall, expectedSeq: held.seq, dropFrom: s.seq, state, append: [], fillBodies: [], tombstone: [], feed });
  return committed.ok ? 'applied' : 'unrelated';
}
