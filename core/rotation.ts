import { ByteReader, ByteWriter, bytesEqual, decodeWith } from './bytes';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { CONTEXT, sign, verify } from './signing';
import { isCanonicalHandle } from './handle';
import { type RecoveryStatement, readRecoveryFields, verifyRecovery, writeRecovery } from './recoveryStatement';

/**
 * A key rotation (docs/protocol.md §4.2): `oldKey` hands the identity `handle` over to `newKey`
 * from wall sequence `atSeq` on. Signed by both keys, so the chain can be checked forwards from
 * a pinned old key and backwards from a pinned new key.
 */
export type RotationStatement = {
  /** Absent in practice; lets a `KeyStatement` be told apart by `format === 2`. */
  format?: 1;
  handle: string;
  oldKey: Uint8Array;
  newKey: Uint8Array;
  atSeq: number;
  oldSig: Uint8Array;
  newSig: Uint8Array;
};

function signedPart(s: Pick<RotationStatement, 'handle' | 'oldKey' | 'newKey' | 'atSeq'>): Uint8Array {
  return new ByteWriter().u8(1).text(s.handle).fixed(s.oldKey, 32).fixed(s.newKey, 32).u64(s.atSeq).finish();
}

export function signRotation(
  handle: string,
  oldSecret: Uint8Array,
  oldKey: Uint8Array,
  newSecret: Uint8Array,
  newKey: Uint8Array,
  atSeq: number,
): RotationStatement {
  const payload = signedPart({ handle, oldKey, newKey, atSeq });
  return {
    handle,
    oldKey,
    newKey,
    atSeq,
    oldSig: sign(CONTEXT.rotation, payload, oldSecret),
    newSig: sign(CONTEXT.rotation, payload, newSecret),
  };
}

export function writeRotation(w: ByteWriter, s: RotationStatement): void {
  w.u8(1).text(s.handle).fixed(s.oldKey, 32).fixed(s.newKey, 32).u64(s.atSeq).fixed(s.oldSig, 64).fixed(s.newSig, 64);
}

export function readRotation(r: ByteReader): RotationStatement {
  const format = r.u8('rotation format');
  if (format !== 1) throw new RangeError(`unknown rotation format ${format}`);
  return readRotationFields(r);
}

/** Reads the fields after the format byte (which the caller read to choose the format). */
function readRotationFields(r: ByteReader): RotationStatement {
  return {
    handle: r.text(LIMITS.handleBytes, 'rotation handle'),
    oldKey: r.fixed(32, 'rotation old key'),
    newKey: r.fixed(32, 'rotation new key'),
    atSeq: r.u64('rotation seq'),
    oldSig: r.fixed(64, 'rotation old signature'),
    newSig: r.fixed(64, 'rotation new signature'),
  };
}

/**
 * Either statement an identity's key history may hold (§4.2): a rotation signed by both keys, or
 * (version 5) a recovery signed by the new key alone.
 */
export type KeyStatement = RotationStatement | RecoveryStatement;

export function writeKeyStatement(w: ByteWriter, s: KeyStatement): void {
  if (s.format === 2) writeRecovery(w, s);
  else writeRotation(w, s);
}

/** Reads either format; a `hello` reads format 1 only (`readRotation`), so every version can read it. */
export function readKeyStatement(r: ByteReader): KeyStatement {
  const format = r.u8('key statement format');
  if (format === 2) return readRecoveryFields(r);
  if (format !== 1) throw new RangeError(`unknown rotation format ${format}`);
  return readRotationFields(r);
}

export const verifyKeyStatement = (s: KeyStatement): boolean => (s.format === 2 ? verifyRecovery(s) : verifyRotation(s));

export const encodeRotation = (s: RotationStatement): Uint8Array => {
  const w = new ByteWriter();
  writeRotation(w, s);
  return w.finish();
};

export const decodeRotation = (bytes: unknown): Result<RotationStatement> => decodeWith(bytes, readRotation, 'rotation');

export function verifyRotation(s: RotationStatement): boolean {
  if (!isCanonicalHandle(s.handle) || s.atSeq < 1 || bytesEqual(s.oldKey, s.newKey)) return false;
  const payload = signedPart(s);
  return verify(CONTEXT.rotation, payload, s.oldSig, s.oldKey) && verify(CONTEXT.rotation, payload, s.newSig, s.newKey);
}

/** The keys a valid chain links: `genesis` (first old key) to `current` (last new key). */
export type KeyChain = { genesis: Uint8Array; current: Uint8Array };

/** A chain is valid when every statement verifies, is for `handle`, links to the previous one and moves to a later seq. */
export function verifyRotationChain(handle: string, chain: readonly KeyStatement[], current: Uint8Array): Result<KeyChain> {
  if (chain.length > LIMITS.rotations) return fail('too many key rotations');
  if (chain.length === 0) return ok({ genesis: current, current });
  let lastSeq = 0;
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i]!;
    if (s.handle !== handle) return fail('rotation is for another handle');
    if (!verifyKeyStatement(s)) return fail('rotation signature is invalid');
    if (s.atSeq <= lastSeq) return fail('rotations are out of order');
    if (i > 0 && !bytesEqual(chain[i - 1]!.newKey, s.oldKey)) return fail('rotation chain is broken');
    lastSeq = s.atSeq;
  }
  if (!bytesEqual(chain[chain.length - 1]!.newKey, current)) return fail('rotation chain does not end at the presented key');
  return ok({ genesis: chain[0]!.oldKey, current });
}

/**
 * Follows a pinned key to a presented one: accepted when equal, or when a valid chain ending at
 * `presented` passes through `pinned` with only rotations (format 1) from there on: a recovery is
 * signed by the new key alone and is never followed without the user (§4.2). Anything else is a key
 * change the user must accept.
 */
export function followsFromPinned(
  handle: string,
  pinned: Uint8Array,
  presented: Uint8Array,
  chain: readonly KeyStatement[],
): boolean {
  if (bytesEqual(pinned, presented)) return true;
  if (!verifyRotationChain(handle, chain, presented).ok) return false;
  const from = chain.findIndex((s) => bytesEqual(s.oldKey, pinned));
  return from >= 0 && chain.slice(from).every((s) => s.format !== 2);
}
