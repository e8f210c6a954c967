import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../../../core/bytes';
import { CONTEXT, type Context, framed } from '../../../core/signing';
import { seededRandom } from './world';

/**
 * Ed25519 signatures for checking a verifier against docs/protocol.md §3: valid ones, mutations of
 * them, and hand-made adversarial ones (non-canonical S and points, small-order and mixed-order keys
 * and R) built with the curve arithmetic of @noble/curves.
 */
export type SignatureCase = { label: string; context: Context; payload: Uint8Array; signature: Uint8Array; publicKey: Uint8Array };

const Point = ed25519.Point;
type Point = InstanceType<typeof Point>;
const L = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;
const CONTEXTS = Object.values(CONTEXT);

export const le32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

/** The 8 points of small order, as the multiples of one of order 8. */
const T8 = Point.fromBytes(Uint8Array.from([0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05]));
export const TORSION: Point[] = [Point.ZERO, ...Array.from({ length: 7 }, (_, i) => T8.multiplyUnsafe(BigInt(i + 1)))];

/** Encodings §3 refuses of the points with y < 19 (y + p), and of x = 0 with the sign bit set. */
export const nonCanonicalEncodings = (): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let y = 0n; y < 19n; y++) {
    out.push(le32(y + P), le32(y + P + (1n << 255n)));
  }
  out.push(le32(1n + (1n << 255n)), le32(P - 1n + (1n << 255n)));
  return out;
};

/** k = H(R || A || M) mod L, the challenge of RFC 8032 §5.1.7. */
const challenge = (r: Uint8Array, a: Uint8Array, message: Uint8Array): bigint => Point.Fn.create(fromLe(sha512(concatBytes(r, a, message))));

type Signer = { scalar: bigint; publicKey: Uint8Array };

export function signers(count: number, seed: string): Signer[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(random(32));
    return { scalar, publicKey: pointBytes };
  });
}

/** A signature by "scalar" under any key bytes and any R: S = r + k·scalar, k over the bytes as given. */
function forge(rScalar: bigint, rBytes: Uint8Array, keyBytes: Uint8Array, scalar: bigint, message: Uint8Array, sOffset = 0n): Uint8Array {
  const s = Point.Fn.create(rScalar + challenge(rBytes, keyBytes, message) * scalar) + sOffset;
  return concatBytes(rBytes, le32(s));
}

/**
 * Cases from a seed: `valid` honest signatures, `mutated` ones (a bit flipped in the signature, key or
 * payload, another key, another context) and `adversarial` ones, each of a kind picked at random.
 */
export function signatureCases(seed: string, counts: { valid: number; mutated: number; adversarial: number }): SignatureCase[] {
  const random = seededRandom(seed);
  const int = (n: number): number => new DataView(random(4).buffer).getUint32(0) % n;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const scalarOf = (): bigint => Point.Fn.create(fromLe(random(32))) || 1n;
  const keys = signers(24, `${seed}/keys`);
  const secrets = Array.from({ length: 8 }, () => random(32));
  const noncanonical = nonCanonicalEncodings();

  const message = () => ({ context: pick(CONTEXTS), payload: random(int(400)) });
  const valid = (): SignatureCase => {
    const secret = pick(secrets);
    const { context, payload } = message();
    return { label: 'valid', context, payload, signature: ed25519.sign(framed(context, payload), secret), publicKey: ed25519.getPublicKey(secret) };
  };
  const honest = (): SignatureCase => {
    const signer = pick(keys);
    const { context, payload } = message();
    const r = scalarOf();
    const signature = forge(r, Point.BASE.multiply(r).toBytes(), signer.publicKey, signer.scalar, framed(context, payload));
    return { label: 'valid', context, payload, signature, publicKey: signer.publicKey };
  };
  const flip = (bytes: Uint8Array): Uint8Array => {
    const out = bytes.slice();
    if (out.length) out[int(out.length)]! ^= 1 << int(8);
    return out;
  };

  const mutations: ((c: SignatureCase) => SignatureCase)[] = [
    (c) => ({ ...c, label: 'mutated: R bit', signature: concatBytes(flip(c.signature.subarray(0, 32)), c.signature.subarray(32)) }),
    (c) => ({ ...c, label: 'mutated: S bit', signature: concatBytes(c.signature.subarray(0, 32), flip(c.signature.subarray(32))) }),
    (c) => ({ ...c, label: 'mutated: key bit', publicKey: flip(c.publicKey) }),
    (c) => ({ ...c, label: 'mutated: payload bit', payload: c.payload.length ? flip(c.payload) : Uint8Array.of(0) }),
    (c) => ({ ...c, label: 'mutated: other key', publicKey: pick(keys).publicKey }),
    (c) => ({ ...c, label: 'mutated: other context', context: pick(CONTEXTS.filter((x) => x !== c.context)) }),
    (c) => ({ ...c, label: 'mutated: truncated', signature: c.signature.subarray(0, 63) }),
  ];

  const adversarial: (() => SignatureCase)[] = [
    () => {
      const c = honest();
      const s = fromLe(c.signature.subarray(32));
      const extra = BigInt(1 + int(14)) * L;
      return { ...c, label: 'S + jL', signature: concatBytes(c.signature.subarray(0, 32), le32(s + extra)) };
    },
    () => {
      const c = honest();
      const s = c.signature.slice(32);
      s[31]! |= 0x10 << int(4);
      return { ...c, label: 'S with a high bit set', signature: concatBytes(c.signature.subarray(0, 32), s) };
    },
    () => {
      // Public key of small order, canonical or not: S = r makes SB = R + kA hold whenever kA = 0.
      const { context, payload } = message();
      const key = int(2) ? pick(TORSION).toBytes() : pick(noncanonical);
      const r = scalarOf();
      const offset = int(3) === 0 ? scalarOf() : 0n;
      return { label: 'small-order or non-canonical key', context, payload, signature: concatBytes(Point.BASE.multiply(r).toBytes(), le32(Point.Fn.create(r + offset))), publicKey: key };
    },
    () => {
      // Mixed-order key aB + T signing honestly: §3's cofactored check accepts, a cofactorless one only when kT = 0.
      const signer = pick(keys);
      const key = Point.fromBytes(signer.publicKey).add(pick(TORSION)).toBytes();
      const { context, payload } = message();
      const r = scalarOf();
      return { label: 'mixed-order key', context, payload, signature: forge(r, Point.BASE.multiply(r).toBytes(), key, signer.scalar, framed(context, payload)), publicKey: key };
    },
    () => {
      // R of small order (r = 0 plus torsion), or mixed order (rB + T).
      const signer = pick(keys);
      const { context, payload } = message();
      const r = int(2) ? 0n : scalarOf();
      const rPoint = (r === 0n ? Point.ZERO : Point.BASE.multiply(r)).add(pick(TORSION));
      return { label: r === 0n ? 'small-order R' : 'mixed-order R', context, payload, signature: forge(r, rPoint.toBytes(), signer.publicKey, signer.scalar, framed(context, payload)), publicKey: signer.publicKey };
    },
    () => {
      // R written non-canonically (y + p, or x = 0 with the sign bit), S computed over those bytes.
      const signer = pick(keys);
      const { context, payload } = message();
      return { label: 'non-canonical R', context, payload, signature: forge(0n, pick(noncanonical), signer.publicKey, signer.scalar, framed(context, payload)), publicKey: signer.publicKey };
    },
    () => {
      const { context, payload } = message();
      const zero = int(2) ? pick(TORSION).toBytes() : pick(noncanonical);
      return { label: 'S = 0 with small-order R and key', context, payload, signature: concatBytes(zero, new Uint8Array(32)), publicKey: int(2) ? zero : pick(TORSION).toBytes() };
    },
    () => {
      const { context, payload } = message();
      return { label: 'random bytes', context, payload, signature: random(64), publicKey: random(32) };
    },
  ];

  const out: SignatureCase[] = [];
  for (let i = 0; i < counts.valid; i++) out.push(i % 2 ? valid() : honest());
  for (let i = 0; i < counts.mutated; i++) out.push(pick(mutations)(out[int(counts.valid)]!));
  for (let i = 0; i < counts.adversarial; i++) out.push(pick(adversarial)());
  return out;
}
