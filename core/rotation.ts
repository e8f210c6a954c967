import { ByteReader, ByteWriter, bytesEqual, decodeWith } from './bytes';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { CONTEXT, sign, verify } from './signing';
import { isCanonicalHandle } from './handle';

/**
 * A key rotation (docs/protocol.md §4.2): `oldKey` hands the identity `handle` over to `newKey`
 * from wall sequence `atSeq` on. Signed by both keys, so the chain can be checked forwards from
 * a pinned old key and backwards from a pinned new key.
 */
export type RotationStatement = {
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
  return {
    handle: r.text(LIMITS.handleBytes, 'rotation handle'),
    oldKey: r.fixed(32, 'rotation old key'),
    newKey: r.fixed(32, 'rotation new key'),
    atSeq: r.u64('rotation seq'),
    oldSig: r.fixed(64, 'rotation old signature'),
    newSig: r.fixed(64, 'rotation new signature'),
  };
}

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
export function verifyRotationChain(handle: string, chain: readonly RotationStatement[], current: Uint8Array): Result<KeyChain> {
  if (chain.length > LIMITS.rotations) return fail('too many key rotations');
  if (chain.length === 0) return ok({ genesis: current, current });
  let lastSeq = 0;
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i]!;
    if (s.handle !== handle) return fail('rotation is for another handle');
    if (!verifyRotation(s)) return fail('rotation signature is invalid');
    if (s.atSeq <= lastSeq) return fail('rotations are out of order');
    if (i > 0 && !bytesEqual(chain[i - 1]!.newKey, s.oldKey)) return fail('rotation chain is broken');
    lastSeq = s.atSeq;
  }
  if (!bytesEqual(chain[chain.length - 1]!.newKey, current)) return fail('rotation chain does not end at the presented key');
  return ok({ genesis: chain[0]!.oldKey, current });
}

/**
 * Follows a pinned key to a presented one: accepted when equal, or when a valid chain ending at
 * `presented` passes through `pinned`. Anything else is a key change the user must accept.
 */
export function followsFromPinned(
  handle: string,
  pinned: Uint8Array,
  presented: Uint8Array,
  chain: readonly RotationStatement[],
): boolean {
  if (bytesEqual(pinned, presented)) return true;
  if (!verifyRotationChain(handle, chain, presented).ok) return false;
  return chain.some((s) => bytesEqual(s.oldKey, pinned));
}
