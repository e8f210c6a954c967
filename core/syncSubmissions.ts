import { type SealedWrite, sealSubmission } from './author';
import { toHex, truncateText } from './bytes';
import { authorVerified, bodyMatches, entryIdBytes, type SignedEntry } from './entry';
import type { Identity } from './identity';
import { LIMITS } from './limits';
import type { PeerMessage, SubmitResult } from './messages';
import type { Replica } from './replica';
import { fail } from './result';
import { CARRIED_KINDS } from './syncCarry';
import { packSubmits } from './syncFrames';
import type { Verifier } from './verifier';

export type SubmissionDeps = {
  replica: Replica;
  identity: Identity;
  peer: string;
  now: () => number;
  verifier: Verifier;
  send(m: PeerMessage): void;
  sendFrame(frame: Uint8Array): void;
  onDelivered(wall: string, id: string): void;
  /** The owner refused an entry of the outbox; `entry` is what it refused (gone from the outbox after this). */
  onUndeliverable(id: string, reason: string, entry: SignedEntry | null): void;
  /** Whether the friend can read the entry's body in the negotiated version: a photo post waits for version 4 (§7.6). */
  readable(entry: SignedEntry): boolean;
};

/** What a `submit` did: `accepted` when any entry is now on the wall (new or already there), `sealed` the new ones. */
export type SubmissionOutcome = { accepted: boolean; sealed: SealedWrite[] };

/**
 * Entries written for each other's walls (docs/protocol.md §7.4): this side's outbox going out as
 * `submit`, the friend's submissions sealed onto this side's wall and answered with `submitted`.
 */
export function createSubmissions(deps: SubmissionDeps) {
  const { replica, identity, peer } = deps;
  const inFlight = new Set<string>();

  return {
    /** Outbox items sent and not yet answered. */
    get pending(): number {
      return inFlight.size;
    },
    clear(): void {
      inFlight.clear();
    },
    /**
     * Seals what the friend submitted and answers with what it sealed; `corrupt` when an entry
     * does not match its signature. With
     * `carried` (version 2) an entry may be another friend's, which the peer carried here (§7.5).
     */
    async receive(entries: readonly SignedEntry[], carried = false): Promise<'corrupt' | SubmissionOutcome> {
      // A corrupt submission is not what its author wrote: answering "rejected" for its id would
      // make the author drop the genuine entry, so the session ends as for any bad frame.
      if (entries.some((e) => !e.body || !bodyMatches(e.header, e.body))) return 'corrupt';
      if ((await Promise.all(entries.map((e) => authorVerified(e, deps.verifier)))).includes(false)) return 'corrupt';
      const results: SubmitResult[] = [];
      const outcome: SubmissionOutcome = { accepted: false, sealed: [] };
      const restoring = await replica.recovering();
      for (const entry of entries) {
        const id = entryIdBytes(entry.header);
        if (restoring) {
          results.push({ id, status: 'deferred', reason: `@${identity.handle} is restoring their wall` });
          continue;
        }
        const from = carried && entry.header.author !== identity.handle ? entry.header.author : peer;
        // Entries whose order matters (likes, edits, deletes) come only from their author (§7.5).
        const r = from !== peer && !CARRIED_KINDS.includes(entry.header.kind)
          ? fail('only wall posts and comments travel through friends')
          : await sealSubmission(replica, identity, from, entry, deps.now, deps.verifier);
        if (r.ok) outcome.accepted = true;
        if (r.ok && r.value.sealed) outcome.sealed.push(r.value.sealed);
        results.push({ id, status: r.ok ? 'accepted' : 'rejected', reason: r.ok ? '' : truncateText(r.reason, LIMITS.reasonChars) });
      }
      deps.send({ type: 'submitted', results });
      return outcome;
    },
    /**
     * "accepted" only ends the wait: an outbox entry is dropped once it is seen sealed in the
     * friend's wall (proof of delivery, see clearDelivered) or once the owner rejects it.
     */
    async answered(results: readonly SubmitResult[]): Promise<void> {
      const rejected: string[] = [];
      // Only answers to what this side sent count: a bogus answer costs no outbox read.
      const refused = results.some((r) => r.status === 'rejected' && inFlight.has(toHex(r.id)));
      const queued = refused ? new Map((await replica.outbox(peer)).map((i) => [i.id, i.entry])) : new Map<string, SignedEntry>();
      for (const r of results) {
        const id = toHex(r.id);
        if (!inFlight.delete(id) || r.status !== 'rejected') continue;
        rejected.push(id);
        deps.onUndeliverable(id, r.reason, queued.get(id) ?? null);
      }
      if (rejected.length) await replica.removeFromOutbox(peer, rejected);
    },
    /** Drops what is now sealed in `wall` (the friend's, or a third wall a relay brought) from the outbox. */
    async clearDelivered(wall = peer): Promise<void> {
      const delivered: string[] = [];
      for (const item of await replica.outbox(wall)) {
        if (await replica.entryById(wall, item.id)) delivered.push(item.id);
      }
      if (!delivered.length) return;
      await replica.removeFromOutbox(wall, delivered);
      for (const id of delivered) deps.onDelivered(wall, id);
    },
    /** Submits everything queued for the friend that is not already on its way. */
    async flush(): Promise<void> {
      const items = (await replica.outbox(peer)).filter((i) => !inFlight.has(i.id) && deps.readable(i.entry));
      for (const item of items) inFlight.add(item.id);
      for (const frame of packSubmits(items)) deps.sendFrame(frame);
    },
  };
}
