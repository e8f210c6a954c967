import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../core/bytes';
import { strictlyEncoded } from '../../core/strictEncoding';
import { le32, nonCanonicalEncodings, TORSION } from './support/ed25519Cases';

/** docs/protocol.md §3 on the bytes alone; whatever these checks refuse, @noble/curves (zip215: false) refuses too. */
const L = ed25519.Point.Fn.ORDER;
const secret = new Uint8Array(32).fill(9);
const key = ed25519.getPublicKey(secret);
const signature = ed25519.sign(Uint8Array.of(1, 2, 3), secret);
const withS = (s: bigint) => concatBytes(signature.subarray(0, 32), le32(s));
const withR = (r: Uint8Array) => concatBytes(r, signature.subarray(32));

describe('strict Ed25519 encodings (§3)', () => {
  it('lets an honest signature and key through', () => {
    expect(strictlyEncoded(signature, key)).toBe(true);
  });

  it('refuses a scalar S of L or more, and keeps S = L − 1', () => {
    expect(strictlyEncoded(withS(L - 1n), key)).toBe(true);
    expect(strictlyEncoded(withS(L), key)).toBe(false);
    expect(strictlyEncoded(withS(2n ** 256n - 1n), key)).toBe(false);
  });

  it('refuses each of the 8 public keys of small order, the ones the pure verifier refuses too', () => {
    expect(new Set(TORSION.map((t) => t.toHex())).size).toBe(8);
    for (const t of TORSION) {
      expect(t.isSmallOrder()).toBe(true);
      expect(strictlyEncoded(signature, t.toBytes()), t.toHex()).toBe(false);
    }
  });

  it('refuses points written with y ≥ p or as x = −0, as R and as the key', () => {
    for (const point of nonCanonicalEncodings()) {
      expect(strictlyEncoded(withR(point), key)).toBe(false);
      expect(strictlyEncoded(signature, point)).toBe(false);
      expect(ed25519.verify(withR(point), Uint8Array.of(1, 2, 3), key, { zip215: false })).toBe(false);
    }
  });

  it('leaves R of small order to the verification equation, as the pure verifier does', () => {
    for (const t of TORSION) expect(strictlyEncoded(withR(t.toBytes()), key)).toBe(true);
  });

  it('refuses wrong lengths', () => {
    expect(strictlyEncoded(signature.subarray(1), key)).toBe(false);
    expect(strictlyEncoded(signature, key.subarray(1))).toBe(false);
  });
});
