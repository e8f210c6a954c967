import { type EntrySignatures, entrySignatures } from './entrySignatures';
import type { PeerMessage } from './messages';
import type { Result } from './result';
import type { Verifier } from './verifier';

export type BatchMessage = Extract<PeerMessage, { type: 'batch' }>;

export type EarlyChecksDeps = {
  verifier: Verifier;
  /** Whether the session is past its handshake. */
  ready(): boolean;
  /** Whether a `want` of this session for `wall` awaits its batch. */
  expects(wall: string): boolean;
  /** The most entries a batch may carry in the negotiated version. */
  maxEntries(): number;
};

/**
 * Signature checks of a batch started as it arrives, so they run while the batch before it is still
 * being stored (docs/protocol.md §7.3). Only for a batch this session asked for, one per wall (there is
 * one `want` per wall), so a friend cannot make this side check what it never asked for.
 */
export function createEarlyChecks(d: EarlyChecksDeps) {
  const started = new Map<string, { batch: BatchMessage; checks: EntrySignatures[] }>();
  return {
    /** Called with every decoded frame as it arrives, before it waits its turn. */
    arrived(decoded: Result<PeerMessage>): void {
      if (!d.ready() || !decoded.ok || decoded.value.type !== 'batch') return;
      const batch = decoded.value;
      if (!d.expects(batch.wall) || started.has(batch.wall) || batch.entries.length > d.maxEntries()) return;
      started.set(batch.wall, { batch, checks: batch.entries.map((e) => entrySignatures(e, d.verifier, true)) });
    },
    /** The checks started for this very batch, if any (they are handed out once). */
    take(batch: BatchMessage): EntrySignatures[] | undefined {
      const early = started.get(batch.wall);
      if (early?.batch !== batch) return undefined;
      started.delete(batch.wall);
      return early.checks;
    },
    clear: (): void => started.clear(),
  };
}
