import type { PeerMessage } from './messages';
import type { WallPulls } from './relay';
import type { Replica } from './replica';

export type WantsDeps = {
  replica: Replica;
  me: string;
  peer: string;
  send(m: PeerMessage): void;
  /** Shared by this side's sessions when it relays: a wall is pulled from one friend at a time. */
  pulls: WallPulls | undefined;
  ready(): boolean;
  /** The most entries one `want` may ask for in the negotiated version (a batch fills its frame up to it). */
  maxEntries(): number;
  /** Runs work in the session's order (a wall freed by another session is asked for again from there). */
  enqueue(work: () => Promise<void>): void;
  /** Whether the friend still holds more of a third wall than this side. */
  behind(wall: string): Promise<boolean>;
  now(): number;
};

/**
 * This session's `want`s (docs/protocol.md §7.3, §7.5): one in flight per wall, and with relaying
 * one session per side pulling a given wall, so two friends never both send the same entries.
 */
export function createWants(d: WantsDeps) {
  /** Each wall's `want` in flight: where it starts and when it was sent. */
  const inFlight = new Map<string, { afterSeq: number; sentAt: number }>();
  const who = Symbol(d.peer);

  /** Asks for `wall` after what this side holds, or after `from` to have late bodies filled in (§7.6). */
  async function request(wall: string, from?: number): Promise<void> {
    if (inFlight.has(wall) || !d.ready()) return;
    // The owner is the source of its wall: its session takes the wall from any relay pulling it.
    if (d.pulls && wall !== d.me && !d.pulls.claim(wall, who, wall === d.peer)) {
      d.pulls.wait(wall, who, () => d.enqueue(() => again(wall)));
      return;
    }
    const afterSeq = from ?? (await d.replica.wallState(wall))?.seq ?? 0;
    inFlight.set(wall, { afterSeq, sentAt: d.now() });
    d.send({ type: 'want', wall, afterSeq, max: d.maxEntries() });
  }

  /**
   * Asks for what follows `afterSeq` before the batch that ends there is stored, so the friend reads
   * and sends the next batch while this side checks and stores the last one (§7.3 still sees one
   * `want` at a time: the batch it answers has arrived). This session already pulls `wall`.
   */
  function requestNext(wall: string, afterSeq: number): void {
    if (inFlight.has(wall) || !d.ready()) return;
    // Each batch renews the claim; a wall another session took meanwhile is asked for no more from here.
    if (d.pulls && wall !== d.me && !d.pulls.claim(wall, who, wall === d.peer)) return;
    inFlight.set(wall, { afterSeq, sentAt: d.now() });
    d.send({ type: 'want', wall, afterSeq, max: d.maxEntries() });
  }

  /** Another session finished pulling `wall`: ask again if this friend may still have more. */
  async function again(wall: string): Promise<void> {
    if (d.ready() && (wall === d.peer || (await d.behind(wall)))) await request(wall);
  }

  return {
    request: (wall: string, from?: number) => request(wall, from),
    requestNext,
    /** Whether a `want` of this session for `wall` awaits its batch. */
    expects: (wall: string): boolean => inFlight.has(wall),
    /** A batch arrived: the `want` of this session it answers (which it then ends) — its `afterSeq` and when it was sent —, else undefined. */
    answered(wall: string): { afterSeq: number; sentAt: number } | undefined {
      const asked = inFlight.get(wall);
      inFlight.delete(wall);
      return asked;
    },
    /** This session is done pulling `wall` for now: another may take it. */
    done: (wall: string): void => d.pulls?.release(wall, who),
    get pending(): number {
      return inFlight.size;
    },
    clear(): void {
      inFlight.clear();
      d.pulls?.releaseAll(who);
    },
  };
}
