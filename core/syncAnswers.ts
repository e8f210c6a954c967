import type { ErrorCode, PeerMessage } from './messages';
import type { Replica, StoredEntry } from './replica';
import { packBatch, readBatch } from './syncFrames';
import type { Admission } from './syncRelay';

/** How often one session may ask again below what it was sent (a lost write race) before it is closed. */
const MAX_RE_ASKS = 16;

export type AnswersDeps = {
  replica: Replica;
  me: string;
  peer: string;
  /** Whether the friend may read a third wall (§7.5): 'never' without relaying. */
  admitThirdWall(wall: string): Promise<Admission>;
  sendFrame(frame: Uint8Array): void;
  /** The friend holds `wall` up to `seq`: it asked for what follows, or was just sent up to there. */
  peerHolds(wall: string, seq: number): void;
  refuse(code: ErrorCode, reason: string): void;
  /** The entry as the friend may receive it: without a body it cannot read in the negotiated version (§7.6). */
  forPeer(entry: StoredEntry): StoredEntry;
  /** The last entry of `wall` the friend can read in the negotiated version (before a recovery, §10), or null for all. */
  readableUpTo(wall: string): Promise<number | null>;
};

/**
 * This session's answers to the friend's `want`s (docs/protocol.md §7.3): a batch that fills its frame,
 * and each entry sent once per session.
 */
export function createAnswers(d: AnswersDeps) {
  /** Per wall, the highest sequence number this session sent; asking below it again is a re-ask. */
  const sentUpTo = new Map<string, number>();
  let reAsks = 0;

  return async function onWant(m: Extract<PeerMessage, { type: 'want' }>): Promise<void> {
    // An honest puller asks from its new head after each batch; it asks below what it was sent only
    // after a write lost a race. Answering the same `want` again and again would cost a full frame of
    // reads and sends for 20 bytes each time.
    if (m.afterSeq < (sentUpTo.get(m.wall) ?? 0) && ++reAsks > MAX_RE_ASKS) {
      return d.refuse('bad_message', `@${d.peer} asked again and again for entries it was already sent.`);
    }
    const admission = m.wall === d.me || m.wall === d.peer ? 'serve' : await d.admitThirdWall(m.wall);
    if (admission === 'never') return d.refuse('not_allowed', `@${d.peer} may only sync @${d.me} and @${d.peer}.`);
    // A friendship that ended during the session: the friend gets an empty answer, not a fault.
    if (admission === 'revoked') return d.sendFrame(packBatch(m.wall, 0, []).frame);
    const upTo = (await d.readableUpTo(m.wall)) ?? Number.MAX_SAFE_INTEGER;
    const headSeq = Math.min((await d.replica.wallState(m.wall))?.seq ?? 0, upTo);
    const read = async (afterSeq: number, max: number) =>
      (await d.replica.entriesAfter(m.wall, afterSeq, max)).filter((e) => e.seq <= upTo).map(d.forPeer);
    const { frame, lastSeq } = await readBatch(read, m.wall, headSeq, m.afterSeq, m.max);
    d.peerHolds(m.wall, m.afterSeq);
    d.sendFrame(frame);
    if (lastSeq !== null) {
      sentUpTo.set(m.wall, Math.max(lastSeq, sentUpTo.get(m.wall) ?? 0));
      d.peerHolds(m.wall, lastSeq);
    }
  };
}
