import { bytesEqual } from './bytes';
import { encodeHeader } from './entry';
import { type Seal, type SealedEntry, encodeSeal } from './seal';
import { CONTEXT, contextHash } from './signing';
import type { Verifier } from './verifier';

/** A sealed entry's seal and the verdicts on its two signatures (docs/protocol.md §5.4 rules 2 and 3). */
export type EntrySignatures = {
  seal: Seal;
  /** Whether `key` made the seal. */
  sealedBy(key: Uint8Array): Promise<boolean>;
  /** Whether `authorKey` signed the header. */
  authored(): Promise<boolean>;
};

/**
 * Encodes the header once, for the entry id and the author signature. With `eager` both checks
 * start now, the seal's with the key the entry addresses (`wallKey`, which rule 4 requires to be
 * the current key), so a run's checks are in flight together; a verdict asked for another key is
 * checked then. Nothing is taken as verified that was not checked against the key asked about.
 */
export function entrySignatures(e: SealedEntry, verifier: Verifier, eager: boolean): EntrySignatures {
  const header = encodeHeader(e.header);
  const seal: Seal = { wall: e.header.wall, seq: e.seq, prev: e.prev, entryId: contextHash(CONTEXT.entryId, header) };
  const checkSeal = (key: Uint8Array) => verifier.verify(CONTEXT.seal, encodeSeal(seal), e.ownerSig, key);
  const checkAuthor = () => verifier.verify(CONTEXT.entry, header, e.authorSig, e.header.authorKey);
  const early = eager ? { key: e.header.wallKey, sealed: checkSeal(e.header.wallKey), authored: checkAuthor() } : null;
  return {
    seal,
    sealedBy: (key) => (early && bytesEqual(key, early.key) ? early.sealed : checkSeal(key)),
    authored: () => early?.authored ?? checkAuthor(),
  };
}
