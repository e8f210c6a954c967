import { describe, expect, it } from 'vitest';
import { framed, verify } from '../../core/signing';
import { createVerifier } from '../../core/verifier';
import { type SignatureCase, signatureCases } from './support/ed25519Cases';

/**
 * The native-backed verifier against the pure one (docs/protocol.md §3) over 10 500 seeded cases:
 * valid signatures, mutations of them, and adversarial ones. Equal verdicts on every case, and the
 * cases include ones where WebCrypto alone would have said otherwise.
 */
const subtle = globalThis.crypto.subtle;
const CHUNK = 256;

async function rawNative(c: SignatureCase): Promise<boolean> {
  try {
    const key = await subtle.importKey('raw', Uint8Array.from(c.publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, Uint8Array.from(c.signature), framed(c.context, c.payload) as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

describe('native and pure Ed25519 verification agree', () => {
  it('on 10 500 valid, mutated and adversarial signatures', { timeout: 120_000 }, async () => {
    const cases = signatureCases('differential', { valid: 2_500, mutated: 4_000, adversarial: 4_000 });
    const verifier = createVerifier({ subtle });
    const disagreements: string[] = [];
    const tally = new Map<string, { cases: number; valid: number; nativeAloneWrong: number }>();
    for (let at = 0; at < cases.length; at += CHUNK) {
      const chunk = cases.slice(at, at + CHUNK);
      const [ours, raw] = await Promise.all([
        Promise.all(chunk.map((c) => verifier.verify(c.context, c.payload, c.signature, c.publicKey))),
        Promise.all(chunk.map(rawNative)),
      ]);
      chunk.forEach((c, i) => {
        const expected = verify(c.context, c.payload, c.signature, c.publicKey);
        if (ours[i] !== expected) disagreements.push(`${c.label}: pure ${expected}, ours ${ours[i]}`);
        const t = tally.get(c.label) ?? { cases: 0, valid: 0, nativeAloneWrong: 0 };
        t.cases++;
        if (expected) t.valid++;
        if (raw[i] !== expected) t.nativeAloneWrong++;
        tally.set(c.label, t);
      });
    }
    if (process.env.SHOW_TALLY) console.table(Object.fromEntries(tally));
    expect(disagreements).toEqual([]);
    const all = [...tally.values()];
    expect(all.reduce((n, t) => n + t.cases, 0)).toBeGreaterThanOrEqual(10_000);
    expect(tally.get('valid')).toMatchObject({ cases: 2_500, valid: 2_500 });
    // The corpus reaches both ways WebCrypto differs from §3: cofactored-valid signatures it refuses,
    // and small-order or non-canonical keys it accepts.
    expect(tally.get('mixed-order key')!.valid).toBeGreaterThan(0);
    expect(all.reduce((n, t) => n + t.nativeAloneWrong, 0), JSON.stringify(Object.fromEntries(tally))).toBeGreaterThan(0);
  });
});
