import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../core/body';
import { toHex } from '../../core/bytes';
import { type EntryHeader, encodeHeader, entryId, signHeader } from '../../core/entry';
import { handshakeTranscript, signHandshake } from '../../core/handshake';
import { exportIdentity } from '../../core/identityExport';
import { mediaRefFor, type MediaType } from '../../core/media';
import { encodeMessage } from '../../core/messages';
import { encodeReaderPass, issuePass } from '../../core/readerPass';
import { encodeRevocations, issueRevocations } from '../../core/revocations';
import { createRelayMessage } from '../../core/relayMessage';
import { encodeRecovery, signRecovery } from '../../core/recoveryStatement';
import { signFork } from '../../core/forkStatement';
import { encodeRotation, signRotation } from '../../core/rotation';
import { safetyNumber } from '../../core/safetyNumber';
import { ZERO_HASH, encodeSeal, sealHash, sealOf, signSeal } from '../../core/seal';
import { CONTEXT, type Context, contextHash, publicKeyOf, sha256, sign, verify } from '../../core/signing';
import { createVerifier, pureVerifier } from '../../core/verifier';

/**
 * Known-answer vectors (docs/protocol.md, Appendix A). Round trips cannot notice a field order,
 * a context string or a hash input changing on both sides at once; these can, and a second
 * implementation checks itself against the same table in the spec.
 */
const fill = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const aliceSecret = fill(32, 0x01);
const bobSecret = fill(32, 0x02);
const nextSecret = fill(32, 0x06);
const alice = publicKeyOf(aliceSecret);
const bob = publicKeyOf(bobSecret);

function computed(): Record<string, string> {
  const body = encodeBody({ kind: 'post', body: { text: 'hello', media: [] } });
  const header: EntryHeader = {
    kind: 'post', wall: 'alice', wallKey: alice, author: 'alice', authorKey: alice,
    createdAt: 1_700_000_000_000, nonce: fill(16, 0x03), target: null, bodyHash: sha256(body), bodySize: body.length,
  };
  const seal = sealOf(header, 1, ZERO_HASH);
  const aliceSide = { handle: 'alice', key: alice, nonce: fill(32, 0x04), fingerprint: 'sha-256 AA:BB' };
  const bobSide = { handle: 'bob', key: bob, nonce: fill(32, 0x05), fingerprint: 'sha-256 CC:DD' };
  const rotation = signRotation('alice', aliceSecret, alice, nextSecret, publicKeyOf(nextSecret), 2);
  const saltAndNonce: Record<number, number> = { 16: 0x07, 24: 0x08 };
  const exported = exportIdentity({ handle: 'alice', secretKey: aliceSecret, publicKey: alice, rotations: [] }, 'correct horse battery', {
    randomBytes: (n) => fill(n, saltAndNonce[n]!), now: () => 1_700_000_000_000, logN: 10,
  });
  if (!exported.ok) throw new Error(exported.reason);
  const request = createRelayMessage({ handle: 'alice', secretKey: aliceSecret, publicKey: alice, rotations: [] }, 'friend-request', 'bob', { note: 'hi' }, {
    randomBytes: (n) => fill(n, 0x09), now: () => 1_700_000_000_000,
  });
  if (!request.ok) throw new Error(request.reason);
  const aliceIdentity = { handle: 'alice', secretKey: aliceSecret, publicKey: alice, rotations: [] };
  const pass = issuePass(aliceIdentity, { handle: 'bob', key: bob }, fill(16, 0x0a), 1_700_000_000_000);
  const revocations = issueRevocations(aliceIdentity, null, [{ tag: pass.tag, until: pass.expiresAt }], 1_700_000_100_000);
  const ref = (bytes: Uint8Array, type: MediaType) => {
    const r = mediaRefFor(bytes, type);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  };
  const full = ref(fill(70_000, 0x0b), 'image/jpeg');
  const photoBody = encodeBody({ kind: 'post', body: { text: 'beach', media: [], photos: [{ full, thumbnail: ref(fill(1_000, 0x0c), 'image/webp'), alt: 'a beach' }] } });
  const picture = { full, thumbnail: ref(fill(1_000, 0x0c), 'image/webp'), alt: '' };
  const profileBody = encodeBody({ kind: 'profile', body: { displayName: 'Alice', about: 'hi', picture } });
  const tiny = fill(5, 0x0e);
  const recovery = signRecovery({ handle: 'alice', oldKey: alice, newKey: publicKeyOf(nextSecret), atSeq: 2, prevSealHash: sealHash(seal) }, nextSecret);
  const next = { handle: 'alice', secretKey: nextSecret, publicKey: publicKeyOf(nextSecret), rotations: [] };
  const recoverRequest = createRelayMessage(next, 'recover-request', 'bob', {}, { randomBytes: (n) => fill(n, 0x09), now: () => 1_700_000_000_000 });
  if (!recoverRequest.ok) throw new Error(recoverRequest.reason);
  return {
    'alice.key': toHex(alice),
    'bob.key': toHex(bob),
    'post.body': toHex(body),
    'post.header': toHex(encodeHeader(header)),
    'post.id': entryId(header),
    'post.authorSig': toHex(signHeader(header, aliceSecret)),
    'post.seal': toHex(encodeSeal(seal)),
    'post.sealHash': toHex(sealHash(seal)),
    'post.ownerSig': toHex(signSeal(seal, aliceSecret)),
    'rotation': toHex(encodeRotation(rotation)),
    'recovery': toHex(encodeRecovery(recovery)),
    'hello.transcript': toHex(handshakeTranscript(1, aliceSide, bobSide)),
    'hello.aliceAuth': toHex(signHandshake(1, aliceSide, bobSide, aliceSecret)),
    'want.frame': toHex(encodeMessage({ type: 'want', wall: 'alice', afterSeq: 0, max: 64 })),
    'export': toHex(exported.value),
    'relay.sig': request.value.sig,
    'relay.recoverSig': recoverRequest.value.sig,
    'pass': toHex(encodeReaderPass(pass)),
    'revocations': toHex(encodeRevocations(revocations)),
    'holds.frame': toHex(encodeMessage({ type: 'holds', walls: [{ wall: 'alice', headSeq: 3, pass }] })),
    'photo.body': toHex(photoBody),
    'profile.body': toHex(profileBody),
    'fetch.frame': toHex(encodeMessage({ type: 'fetch', wall: 'alice', file: full.sha256, from: 0, count: 16 })),
    'chunk.frame': toHex(encodeMessage({ type: 'chunk', file: sha256(tiny), index: 0, data: tiny })),
    'missing.frame': toHex(encodeMessage({ type: 'missing', file: full.sha256, reason: 'not_allowed' })),
    'forked.frame': toHex(encodeMessage({ type: 'forked', statement: signFork({ wall: 'alice', seq: 1, replaced: sealHash(seal), kept: fill(32, 0x0f) }, aliceSecret) })),
    'safetyNumber': safetyNumber({ handle: 'alice', key: alice }, { handle: 'bob', key: bob }),
  };
}

/** `name = value` lines of the fenced block under "Appendix A" in the spec. */
function specVectors(): Record<string, string> {
  const spec = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8');
  const appendix = spec.slice(spec.indexOf('## Appendix A'));
  const block = /```\n([\s\S]*?)```/.exec(appendix)?.[1] ?? '';
  const out: Record<string, string> = {};
  let last = '';
  for (const line of block.split('\n')) {
    const m = /^(\S+)\s+=\s+(.*)$/.exec(line);
    if (m) out[(last = m[1]!)] = m[2]!.trim();
    else if (last && /^\s+\S/.test(line)) out[last] += line.trim(); // a long value continues indented
  }
  return out;
}

describe('known-answer vectors', () => {
  it('match the table in docs/protocol.md, Appendix A', () => {
    expect(specVectors()).toEqual(computed());
  });

  it('keep every signature and hash in its own domain', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const signature = sign(CONTEXT.entry, payload, aliceSecret);
    expect(verify(CONTEXT.entry, payload, signature, alice)).toBe(true);
    for (const other of Object.values(CONTEXT).filter((c) => c !== CONTEXT.entry)) {
      expect(verify(other, payload, signature, alice), other).toBe(false);
    }
    const hashes = new Set(Object.values(CONTEXT).map((c) => toHex(contextHash(c, payload))));
    expect(hashes.size).toBe(Object.values(CONTEXT).length);
    expect(hashes.has(toHex(sha256(payload)))).toBe(false);
  });
});

describe('known-answer signatures through both verifiers', () => {
  const verifiers = [
    ['pure', pureVerifier],
    ['native', createVerifier({ subtle: globalThis.crypto.subtle })],
  ] as const;
  const vectors = specVectors();
  const header = fromHexOrThrow(vectors['post.header']!);
  const signed: [string, Context, Uint8Array, string, Uint8Array][] = [
    ['post.authorSig', CONTEXT.entry, header, vectors['post.authorSig']!, alice],
    ['post.ownerSig', CONTEXT.seal, fromHexOrThrow(vectors['post.seal']!), vectors['post.ownerSig']!, alice],
    ['hello.aliceAuth', CONTEXT.hello, fromHexOrThrow(vectors['hello.transcript']!), vectors['hello.aliceAuth']!, alice],
  ];

  it.each(verifiers)('%s: each signature of Appendix A verifies, and only in its own domain', async (_name, verifier) => {
    for (const [name, context, payload, signature, key] of signed) {
      const sig = fromHexOrThrow(signature);
      expect(await verifier.verify(context, payload, sig, key), name).toBe(true);
      expect(await verifier.verify(context, payload, sig, bob), `${name} under another key`).toBe(false);
      for (const other of Object.values(CONTEXT).filter((c) => c !== context)) {
        expect(await verifier.verify(other, payload, sig, key), `${name} as ${other}`).toBe(false);
      }
    }
  });
});

function fromHexOrThrow(hex: string): Uint8Array {
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  if (toHex(bytes) !== hex) throw new Error(`not hex: ${hex}`);
  return bytes;
}
