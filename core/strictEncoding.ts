import { fromHex } from './bytes';

/**
 * The byte-level half of §3's strictness (docs/protocol.md): what `verify` in signing.ts refuses
 * without any curve arithmetic. A native Ed25519 (WebCrypto) accepts some of it — in Node 20 a
 * public key written with y ≥ p, or one of small order — so these run before any native call.
 */

/** Canonical encodings of the 8 points of small order (the torsion subgroup of edwards25519). */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
].map((hex) => fromHex(hex, 32)!);

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 32)!;

/** Little-endian `a < b` over equally long byte strings. */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** y (the low 255 bits) ≥ p = 2^255 − 19: only 0x7f, then 30 × 0xff, then a first byte ≥ 0xed. */
function yAtLeastP(point: Uint8Array): boolean {
  if ((point[31]! & 0x7f) !== 0x7f || point[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (point[i] !== 0xff) return false;
  return true;
}

/** x = 0 (y = 1 or y = p − 1) written with the sign bit set, the "−0" RFC 8032 §5.1.3 refuses. */
function negativeZeroX(point: Uint8Array): boolean {
  if ((point[31]! & 0x80) === 0) return false;
  const yIsOne = point[0] === 1 && point.subarray(1, 31).every((b) => b === 0) && point[31] === 0x80;
  const yIsMinusOne = point[0] === 0xec && point.subarray(1, 32).every((b) => b === 0xff);
  return yIsOne || yIsMinusOne;
}

const canonicalPoint = (point: Uint8Array): boolean => !yAtLeastP(point) && !negativeZeroX(point);

const smallOrder = (point: Uint8Array): boolean => SMALL_ORDER.some((s) => s.every((b, i) => b === point[i]));

/**
 * False when the signature or key is refused by §3 on its bytes alone: wrong lengths, S ≥ L, a
 * non-canonical R or public key, or a public key of small order. True says nothing about validity.
 */
export function strictlyEncoded(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return lessThan(signature.subarray(32), L) && canonicalPoint(signature.subarray(0, 32)) && canonicalPoint(publicKey) && !smallOrder(publicKey);
}
