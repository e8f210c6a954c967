import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../core/bytes';
import { CONTEXT, publicKeyOf, sign, verify } from '../../core/signing';
import { createVerifier, pureVerifier, type SubtleEd25519 } from '../../core/verifier';
import { le32, signatureCases, TORSION } from './support/ed25519Cases';

const subtle: SubtleEd25519 = globalThis.crypto.subtle;
const secret = new Uint8Array(32).fill(3);
const key = publicKeyOf(secret);
const payload = new TextEncoder().encode('a post');
const good = sign(CONTEXT.entry, payload, secret);
const bad = good.map((b, i) => (i === 40 ? b ^ 1 : b));

/** The runtime's WebCrypto, counting what reaches it; `change` may replace its verdicts. */
function counted(change: (verdict: boolean, data: Uint8Array) => boolean = (v) => v) {
  const calls = { importKey: 0, verify: 0 };
  const wrapped: SubtleEd25519 = {
    importKey: (...args) => (calls.importKey++, subtle.importKey(...args)),
    verify: async (algorithm, k, signature, data) => (calls.verify++, change(await subtle.verify(algorithm, k, signature, data), data)),
  };
  return { calls, subtle: wrapped };
}

describe('the verifier (docs/protocol.md §3)', () => {
  it('is the pure one without WebCrypto', () => {
    expect(createVerifier({})).toBe(pureVerifier);
    expect(createVerifier({ subtle: undefined })).toBe(pureVerifier);
  });

  it('checks valid and invalid signatures natively', async () => {
    const { calls, subtle: s } = counted();
    const verifier = createVerifier({ subtle: s });
    expect(await verifier.verify(CONTEXT.entry, payload, good, key)).toBe(true);
    expect(await verifier.verify(CONTEXT.seal, payload, good, key)).toBe(false);
    expect(await verifier.verify(CONTEXT.entry, payload, bad, key)).toBe(false);
    expect(calls.verify).toBe(2 + 3); // the self-test's two, then one each
  });

  it('falls back to the pure verifier where WebCrypto has no Ed25519', async () => {
    const missing: SubtleEd25519 = {
      importKey: () => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError')),
      verify: () => Promise.reject(new Error('unreachable')),
    };
    const verifier = createVerifier({ subtle: missing });
    expect(await verifier.verify(CONTEXT.entry, payload, good, key)).toBe(true);
    expect(await verifier.verify(CONTEXT.entry, payload, bad, key)).toBe(false);
  });

  it('does not use a native verifier that fails its self-test', async () => {
    const { subtle: yes } = counted(() => true);
    const verifier = createVerifier({ subtle: yes });
    expect(await verifier.verify(CONTEXT.entry, payload, bad, key)).toBe(false);
    expect(await verifier.verify(CONTEXT.entry, payload, good, key)).toBe(true);
  });

  it('confirms a native "invalid" with the pure verifier, as cofactorless natives refuse some signatures §3 accepts', async () => {
    // Passes the self-test (empty message), then calls everything invalid.
    const { subtle: no } = counted((verdict, data) => (data.length === 0 ? verdict : false));
    expect(await createVerifier({ subtle: no }).verify(CONTEXT.entry, payload, good, key)).toBe(true);
    const mixed = signatureCases('mixed', { valid: 0, mutated: 0, adversarial: 400 }).filter((c) => c.label === 'mixed-order key' && verify(c.context, c.payload, c.signature, c.publicKey));
    expect(mixed.length).toBeGreaterThan(0);
    const verifier = createVerifier({ subtle });
    for (const c of mixed) expect(await verifier.verify(c.context, c.payload, c.signature, c.publicKey)).toBe(true);
  });

  it('refuses a small-order key without asking WebCrypto, which would accept it', async () => {
    const { calls, subtle: s } = counted();
    const verifier = createVerifier({ subtle: s });
    const identity = TORSION[0]!.toBytes();
    // With A the identity, SB = R + kA holds for R = rB and S = r, whatever the message: Node 20's WebCrypto says valid.
    const r = 12_345n;
    const forged = concatBytes(ed25519.Point.BASE.multiply(r).toBytes(), le32(r));
    expect(verify(CONTEXT.entry, payload, forged, identity)).toBe(false);
    expect(await verifier.verify(CONTEXT.entry, payload, forged, identity)).toBe(false);
    expect(calls.verify).toBe(0);
  });

  it('imports a key once while it stays among the most recently used', async () => {
    const other = publicKeyOf(new Uint8Array(32).fill(4));
    const { calls, subtle: s } = counted();
    const verifier = createVerifier({ subtle: s, keyCacheSize: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => verifier.verify(CONTEXT.entry, payload, good, i % 2 ? key : other)));
    expect(calls.importKey).toBe(1 + 2);
    const third = publicKeyOf(new Uint8Array(32).fill(5));
    await verifier.verify(CONTEXT.entry, payload, good, third); // drops `other`, the least recently used
    await verifier.verify(CONTEXT.entry, payload, good, key);
    expect(calls.importKey).toBe(1 + 3);
    await verifier.verify(CONTEXT.entry, payload, good, other);
    expect(calls.importKey).toBe(1 + 4);
  });
});
