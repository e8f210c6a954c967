import { ByteReader, ByteWriter } from './bytes';
import { type EntryHeader, type SignedEntry, entryIdBytes, readSignedEntry, writeSignedEntry } from './entry';
import { CONTEXT, contextHash, sign } from './signing';

/**
 * The owner's placement of an entry in its wall (docs/protocol.md §6): position `seq`, chained to
 * the previous seal by `prev`. Signing it vouches for the order and for the author's key.
 */
export type Seal = { wall: string; seq: number; prev: Uint8Array; entryId: Uint8Array };

/** A sealed entry as stored and as sent in batches. */
export type SealedEntry = SignedEntry & { seq: number; prev: Uint8Array; ownerSig: Uint8Array };

export const ZERO_HASH = new Uint8Array(32);

export function encodeSeal(s: Seal): Uint8Array {
  return new ByteWriter().u8(1).text(s.wall).u64(s.seq).fixed(s.prev, 32).fixed(s.entryId, 32).finish();
}

export function sealOf(header: EntryHeader, seq: number, prev: Uint8Array): Seal {
  return { wall: header.wall, seq, prev, entryId: entryIdBytes(header) };
}

/** Hash that the next seal's `prev` must carry. */
export const sealHash = (s: Seal): Uint8Array => contextHash(CONTEXT.sealHash, encodeSeal(s));

export const signSeal = (s: Seal, ownerSecret: Uint8Array): Uint8Array => sign(CONTEXT.seal, encodeSeal(s), ownerSecret);

export function writeSealedEntry(w: ByteWriter, e: SealedEntry): void {
  writeSignedEntry(w, e);
  w.u64(e.seq).fixed(e.prev, 32).fixed(e.ownerSig, 64);
}

export function readSealedEntry(r: ByteReader): SealedEntry {
  const signed = readSignedEntry(r);
  return { ...signed, seq: r.u64('seq'), prev: r.fixed(32, 'prev'), ownerSig: r.fixed(64, 'owner signature') };
}
