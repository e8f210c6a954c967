import { genesisKeyOf } from './author';
import { bytesEqual } from './bytes';
import { createMemorySettledForks, type ForkPoint, type SettledForks } from './settledForks';
import { type ForkOutcome, type ForkRepair, followForkStatement, repairOwnFork, standingStatements } from './forkRepair';
import { type ForkStatement, type ForkStatements, verifyFork } from './forkStatement';
import type { Identity } from './identity';
import { planIngest } from './ingest';
import { knownAuthors } from './knownAuthors';
import { LIMITS } from './limits';
import { createMemoryReplica } from './memoryReplica';
import type { ErrorCode, PeerMessage } from './messages';
import type { Replica } from './replica';
import { type SealedEntry, sealHash, sealOf } from './seal';
import type { BatchMessage } from './syncChecks';
import type { createWants } from './syncWants';
import type { SyncEvent } from './syncSession';
import type { Verifier } from './verifier';

/**
 * What a side needs to repair and follow forks (version 5): where it keeps fork statements, and where it
 * remembers forks of its own wall already settled (without it, for the life of each session only).
 */
export type ForkDeps = { statements: ForkStatements; settled?: SettledForks };

export type ForkEvent =
  /** This side's own wall had two versions and was repaired from `friend`'s copy (§8 Forks). */
  | { type: 'forkRepaired'; friend: string; repair: ForkRepair }
  /** A fork of one's own wall that cannot be repaired; sync of it with `friend` stops for this session. */
  | { type: 'forkUnrepaired'; friend: string; reason: string }
  /** The owner of `wall` replaced its entries from `seq` on; this side dropped its copy of them and pulls again. */
  | { type: 'forkFollowed'; wall: string; seq: number };

export type ForkRoleDeps = {
  forks: ForkDeps;
  replica: Replica;
  identity: Identity;
  peer: string;
  verifier: Verifier;
  now(): number;
  send(m: PeerMessage): void;
  wants: ReturnType<typeof createWants>;
  /** Whether this side answers the friend's `want` for `wall` (its own, or a third wall the friend may read). */
  serves(wall: string): Promise<boolean>;
  refuse(code: ErrorCode, reason: string): void;
  emit(event: SyncEvent): void;
  /** Tells the friend this side's wall changed (`notify`). */
  announce(): Promise<void>;
};

/**
 * The fork half of a version-5 session (§8 Forks): a reader tells the friend that its batch forks (`fork`)
 * and follows the statements it gets back (`forked`); the owner pulls a forking friend's whole copy of its
 * wall once per session and repairs it, and answers `fork` with the statements it holds.
 */
export function createForkRole(d: ForkRoleDeps) {
  const me = d.identity.handle;
  /** Walls this side sent `fork` for, and how many `forked` frames it still takes for each. */
  const asked = new Map<string, number>();
  /** Statements of the friend's own wall it may still send unasked in this session. */
  let fromOwner: number = LIMITS.forkStatements;
  /** The friend's copy of one's own wall while it is pulled; `asked`: the `want` after 0 is sent. */
  let pull: { copy: Replica; asked: boolean } | 'done' | null = null;
  /** Walls whose `fork` this side answered in this session (once each: a `fork` costs the friend nothing). */
  const heard = new Set<string>();
  /** Where the friend last asked for one's own wall from: what it says it holds. */
  let friendHolds: number | null = null;
  /** The probe of one's own wall a `fork` asked for while another `want` of it was in flight. */
  let probeAfter: number | null = null;
  /** Walls the friend asked this side for in this session, and whether it has since said one was replaced. */
  const served = new Map<string, 'asked' | 'told'>();
  /** Walls whose replaced branch this side told the friend of in this session. */
  const told = new Set<string>();
  const settled = d.forks.settled ?? createMemorySettledForks();
  /** Where the friend's copy of one's own wall that is pulled forked. */
  let detected: ForkPoint | null = null;

  /**
   * A batch of `wall` forks from this side's copy by `entry`: tell the friend, or pull its copy of one's own
   * wall — unless that fork is settled (answered with a statement, sent at every handshake, or unrepairable).
   */
  async function forked(wall: string, entry: SealedEntry): Promise<void> {
    d.wants.done(wall);
    if (wall === me) {
      const point: ForkPoint = { friend: d.peer, seq: entry.seq, seal: sealHash(sealOf(entry.header, entry.seq, entry.prev)) };
      if (await settled.has(point)) return;
      detected = point;
      return pullOwn();
    }
    if (asked.has(wall)) return;
    asked.set(wall, LIMITS.forkStatements);
    d.send({ type: 'fork', wall });
  }

  async function pullOwn(): Promise<void> {
    if (pull !== null) return d.refuse('invalid_batch', `@${d.peer} holds another version of your wall.`);
    // A `want` of one's own wall already in flight is answered first: `offer` then asks from 0.
    pull = { copy: createMemoryReplica(), asked: !d.wants.expects(me) };
    if (pull.asked) await d.wants.request(me, 0);
  }

  /** A batch of one's own wall answering the `want` after 0 of `pullOwn`: checked into the friend's copy. */
  async function offer(m: BatchMessage, afterSeq: number): Promise<void> {
    if (pull === null || pull === 'done') return;
    if (!pull.asked) {
      pull.asked = true;
      return d.wants.request(me, 0);
    }
    const { copy } = pull;
    const lastSeq = m.entries.at(-1)?.seq ?? 0;
    if (lastSeq > afterSeq && lastSeq < m.headSeq) d.wants.requestNext(me, lastSeq);
    if (m.entries.length > 0) {
      const known = knownAuthors(d.identity, await d.replica.friends());
      const plan = await planIngest(copy, me, m.entries, genesisKeyOf(d.identity), d.now, known, { verifier: d.verifier, recovery: { newKey: d.identity.publicKey } });
      if (!plan.ok) return d.refuse('invalid_batch', plan.reason);
      await copy.commit(plan.value);
    }
    const held = (await copy.wallState(me))?.seq ?? 0;
    if (held < m.headSeq && m.entries.length > 0 && held > afterSeq) return d.wants.request(me, held);
    d.wants.done(me);
    pull = 'done';
    await settle(await repairOwnFork(d.replica, d.identity, copy, { statements: d.forks.statements, now: d.now, verifier: d.verifier }));
  }

  async function settle(outcome: ForkOutcome): Promise<void> {
    if (detected && (outcome.type === 'known' || (outcome.type === 'unrepairable' && outcome.lasting))) await settled.add(detected);
    if (outcome.type === 'unrepairable') return d.emit({ type: 'forkUnrepaired', friend: d.peer, reason: outcome.reason });
    // The friend reads this wall: it takes statements of it unasked from its owner (and keeps them to serve).
    if (outcome.type === 'known') d.send({ type: 'forked', statement: outcome.statement });
    if (outcome.type !== 'repaired') return;
    const { repair } = outcome;
    d.emit({ type: 'forkRepaired', friend: d.peer, repair });
    // What the wall holds from the fork on is stored anew: photos to fetch, friends to tell (their next pull).
    d.emit({ type: 'wallUpdated', wall: me, added: repair.news, feed: repair.feed, via: null, filled: [] });
    d.send({ type: 'forked', statement: repair.statement });
    await d.announce();
  }

  /**
   * The friend says a batch of `wall` from this side forks from its copy: answered once per wall and session.
   * For one's own wall nothing is pulled on its word: the entry before the last position both hold is asked
   * for (`probe`), and only a batch that forks from one's copy pulls the friend's whole copy (§8 Forks step 1).
   */
  async function onFork(wall: string): Promise<void> {
    if (heard.has(wall) || !(await d.serves(wall))) return;
    heard.add(wall);
    if (wall !== me) {
      for (const statement of await d.forks.statements.held(wall)) d.send({ type: 'forked', statement });
      return;
    }
    if (pull === 'done') for (const statement of await standingStatements(d.replica, d.forks.statements, me)) d.send({ type: 'forked', statement });
    if (pull !== null) return;
    const head = (await d.replica.wallState(me))?.seq ?? 0;
    probeAfter = Math.max(0, Math.min(head, friendHolds ?? head) - 1);
    if (!d.wants.expects(me)) await probe();
  }

  /** Asks for the probe a `fork` of one's own wall is owed, once no other `want` of it is in flight. */
  async function probe(): Promise<void> {
    if (probeAfter === null || d.wants.expects(me) || pull !== null) return;
    const from = probeAfter;
    probeAfter = null;
    await d.wants.request(me, from);
  }

  /**
   * A statement answering this side's `fork` (at most LIMITS.forkStatements per `fork`), or sent unasked by
   * the wall's owner (as many per session); any other is `bad_message`.
   */
  async function onForked(s: ForkStatement): Promise<void> {
    const left = asked.get(s.wall) ?? 0;
    if (left > 0) asked.set(s.wall, left - 1);
    else if (s.wall === d.peer && fromOwner > 0) fromOwner--;
    else if (served.get(s.wall) === 'asked') served.set(s.wall, 'told'); // it refused a replaced branch from here
    else return d.refuse('bad_message', `Unasked fork statement for @${s.wall}.`);
    const followed = await followForkStatement(d.replica, d.forks.statements, s, verifyFork);
    if (followed !== 'applied') return;
    asked.delete(s.wall);
    d.emit({ type: 'forkFollowed', wall: s.wall, seq: s.seq });
    await d.wants.request(s.wall);
  }

  /**
   * True when `entries` of `wall` hold an entry a statement this side keeps replaced (§8 Forks step 4): the
   * batch is refused, `wall` is pulled no more from this friend in this session, and the friend is sent the
   * statement (once per wall), so a stale holder drops that branch instead of serving it again.
   */
  async function replacedIn(wall: string, entries: readonly SealedEntry[]): Promise<boolean> {
    const held = wall === me ? await standingStatements(d.replica, d.forks.statements, me) : await d.forks.statements.held(wall);
    for (const statement of held) {
      const e = entries.find((x) => x.seq === statement.seq);
      if (!e || !bytesEqual(sealHash(sealOf(e.header, e.seq, e.prev)), statement.replaced)) continue;
      d.wants.done(wall);
      if (!told.has(wall)) d.send({ type: 'forked', statement });
      told.add(wall);
      return true;
    }
    return false;
  }

  /** After the handshake: the statements of one's own wall, so a friend holding either branch hears of the repair. */
  async function start(): Promise<void> {
    for (const statement of await standingStatements(d.replica, d.forks.statements, me)) d.send({ type: 'forked', statement });
  }

  /**
   * Where to ask for one's own wall from: one entry before the head, so a friend whose copy is as long but
   * ends in another entry shows it (a fork no head comparison sees).
   */
  async function ownWantFrom(): Promise<number> {
    return Math.max(0, ((await d.replica.wallState(me))?.seq ?? 0) - 1);
  }

  return {
    start,
    ownWantFrom,
    forked,
    offer,
    onFork,
    onForked,
    probe,
    /** The friend asked for `wall` after `afterSeq`: for one's own wall, what the friend says it holds. */
    replacedIn,
    wanted(wall: string, afterSeq: number): void {
      if (wall === me) friendHolds = afterSeq;
      if (!served.has(wall)) served.set(wall, 'asked');
    },
    /** Batches of one's own wall go to the friend's copy while it is pulled. */
    get pulling(): boolean {
      return pull !== null && pull !== 'done';
    },
  };
}

export type ForkRole = ReturnType<typeof createForkRole>;
