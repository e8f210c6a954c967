import { genesisKeyOf } from './author';
import { forkingEntry } from './forksFrom';
import type { ForkRole } from './syncForks';
import type { Identity } from './identity';
import { planIngest } from './ingest';
import { knownAuthors } from './knownAuthors';
import type { ErrorCode } from './messages';
import type { OwnRecovery } from './ownRecovery';
import type { Replica } from './replica';
import { type BatchMessage, createEarlyChecks } from './syncChecks';
import { anchorOfFriend } from './keyHistory';
import { adoptLearnedHistory, learningRecovery, learnsHistory } from './historyLearning';
import { adoptRecoveries, confirmedRecoveryOf, redoAdoption } from './recoveryConfirm';
import type { RelayRole } from './syncRelay';
import type { SyncEvent } from './syncEvent';
import type { createSubmissions } from './syncSubmissions';
import type { createWants } from './syncWants';
import type { Verifier } from './verifier';

export type BatchIngestDeps = {
  replica: Replica;
  identity: Identity;
  peer: string;
  verifier: Verifier;
  now(): number;
  wants: ReturnType<typeof createWants>;
  submissions: Pick<ReturnType<typeof createSubmissions>, 'clearDelivered'>;
  relay(): RelayRole | null;
  /** The key that sealed entry 1 of the friend's wall, known once the handshake is through. */
  peerGenesis(): Uint8Array;
  ready(): boolean;
  /** The most entries a batch may carry in the negotiated version. */
  maxEntries(): number;
  emit(event: SyncEvent): void;
  refuse(code: ErrorCode, reason: string): void;
  /** Tells the friend this side's wall (after a recovery, so it resubmits what it deferred). */
  announce(): Promise<void>;
  /** Recovering one's own wall without the key (§8, version 5), shared by this side's sessions. */
  ownRecovery?: OwnRecovery | undefined;
  /** Repairing and following forks (§8 Forks, version 5), once the session negotiated it. */
  forks(): ForkRole | null;
};

/**
 * The pulling half of a session (docs/protocol.md §7.3): a batch that answers this side's `want` is
 * checked against the copy held and stored in one write, the next `want` leaving as the batch arrives.
 */
export function createBatchIngest(d: BatchIngestDeps) {
  const { replica, identity, peer, wants } = d;
  const me = identity.handle;
  const early = createEarlyChecks({ verifier: d.verifier, ready: d.ready, expects: wants.expects, maxEntries: d.maxEntries });

  async function onBatch(m: BatchMessage, bytes: number, handledAt: number): Promise<void> {
    const checks = early.take(m);
    const asked = wants.answered(m.wall);
    if (asked === undefined) return d.refuse('bad_message', `Unrequested batch for @${m.wall}.`);
    if (m.wall === me && d.ownRecovery?.active) return recoverFrom(d.ownRecovery, m, asked.afterSeq);
    const forks = d.forks();
    if (m.wall === me && forks?.pulling) return forks.offer(m, asked.afterSeq);
    const relayed = m.wall !== me && m.wall !== peer;
    // A third wall is anchored at this side's own pin of its owner, exactly as if the owner sent it.
    const pinned = m.wall === me ? null : await replica.friend(m.wall);
    const owner = pinned && (await redoAdoption(replica, pinned)); // after a crash, §8 step 4
    const first = m.entries[0]?.seq === 1 ? m.entries[0].header.wallKey : undefined;
    // A pin that starts after a recovery this side never saw learns the history from the owner itself (§8).
    const learning = m.wall === peer && owner !== null && learnsHistory(owner, await replica.wallState(m.wall), first);
    const anchor = m.wall === me ? genesisKeyOf(identity) : learning && first ? first : owner ? anchorOfFriend(owner, first) : d.peerGenesis();
    if (relayed && !owner) return wants.done(m.wall); // unfriended meanwhile
    const recovery =
      m.wall === me ? { newKey: identity.publicKey } : owner && learning ? learningRecovery(owner) : owner ? confirmedRecoveryOf(owner) : undefined;
    // This batch follows one that lost a write race (another session stored part of the wall meanwhile):
    // it starts past what is held, so it is asked for again from there rather than taken for a gap.
    if (((await replica.wallState(m.wall))?.seq ?? 0) < asked.afterSeq) return wants.request(m.wall);
    // Version 5 repairs a fork instead of refusing the wall forever (§8 Forks); a branch it replaced stays out.
    if (forks && (await forks.replacedIn(m.wall, m.entries))) return;
    const forking = forks && (await forkingEntry(replica, m.wall, m.entries, d.verifier, m.wall === me ? identity.publicKey : owner?.key));
    if (forks && forking) return forks.forked(m.wall, forking);
    const lastSeq = m.entries.at(-1)?.seq ?? 0;
    if (lastSeq > asked.afterSeq && lastSeq < m.headSeq) wants.requestNext(m.wall, lastSeq);
    if (m.entries.length > 0) {
      // Read per batch: a pin moves when a friend's rotation is followed. While one's own wall is recovered
      // without the key, this side does not know its own lost key: entries in its name are the owner's word.
      const known = new Map(knownAuthors(d.ownRecovery?.identity ?? identity, await replica.friends()));
      if (d.ownRecovery?.active) known.delete(me);
      const plan = await planIngest(replica, m.wall, m.entries, anchor, d.now, known, { via: relayed ? peer : undefined, verifier: d.verifier, signatures: checks, recovery });
      const checkedAt = d.now();
      // Pulled entries stay with the friend that sent them: a write lost to a power cut is fetched again.
      const committed = plan.ok ? await replica.commit({ ...plan.value, refetchable: true }) : plan;
      if (!committed.ok && committed.reason !== 'conflict') {
        // A relay passes on what its owner sealed: an entry this side refuses (rule 9: an author it
        // knows under another key) says nothing about the relay, whose other walls stay welcome.
        if (!relayed) return d.refuse('invalid_batch', committed.reason);
        d.relay()?.refuseWall(m.wall, committed.reason);
        return wants.done(m.wall);
      }
      if (committed.ok && plan.ok && owner) await adoptRecoveries(replica, owner, plan.value.append);
      if (committed.ok && plan.ok && learning) await adoptLearnedHistory(replica, m.wall, plan.value.append);
      if (committed.ok && plan.ok && plan.value.append.length) {
        const stored = { entries: plan.value.append.length, waitMs: handledAt - asked.sentAt, checkMs: checkedAt - handledAt, storeMs: d.now() - checkedAt };
        d.emit({ type: 'batchStored', wall: m.wall, bytes, ...stored });
      }
      if (committed.ok && plan.ok && (plan.value.append.length || plan.value.fillBodies.length)) {
        // Late bodies filled in may refer to photos too (§7.6): the media half reads them as stored.
        const filled = (await Promise.all(plan.value.fillBodies.map((f) => replica.entryById(m.wall, f.id)))).filter((e) => e !== null);
        d.emit({ type: 'wallUpdated', wall: m.wall, added: plan.value.append, feed: plan.value.feed, via: relayed ? peer : null, filled });
      }
    }
    if (m.wall !== me) {
      await d.submissions.clearDelivered(m.wall);
      await d.relay()?.dropSealed(m.wall);
    }
    const held = (await replica.wallState(m.wall))?.seq ?? 0;
    // Asked again only after progress: a friend answering with entries this side holds already (and a
    // head it never reaches) would otherwise be asked forever.
    if (held < m.headSeq && m.entries.length > 0 && held > asked.afterSeq) return wants.request(m.wall);
    wants.done(m.wall);
    if (m.wall === me) await forks?.probe(); // a `fork` heard while this pull was in flight (§8 Forks step 1)
    if (m.wall !== me && held >= m.headSeq) d.emit({ type: 'upToDate', wall: m.wall, seq: held });
    if (m.wall === me && (await replica.recovering()) && held >= m.headSeq) {
      await replica.setRecovering(false);
      d.emit({ type: 'recovered', seq: held });
      await d.announce(); // lets the friend resubmit what was deferred while restoring
    }
  }

  /** A batch of one's own wall while recovering it without the key: it goes to the friend's candidate copy. */
  async function recoverFrom(recovery: OwnRecovery, m: BatchMessage, afterSeq: number): Promise<void> {
    const lastSeq = m.entries.at(-1)?.seq ?? 0;
    if (lastSeq > afterSeq && lastSeq < m.headSeq) wants.requestNext(me, lastSeq);
    const offered = await recovery.offer(peer, m.entries);
    if (!offered.ok) return d.refuse('invalid_batch', offered.reason);
    const held = offered.value.held;
    if (held < m.headSeq && m.entries.length > 0 && held > afterSeq) return wants.request(me, held);
    wants.done(me);
    if (held >= m.headSeq) await recovery.complete(peer);
  }

  return { onBatch, arrived: early.arrived, clear: early.clear };
}
