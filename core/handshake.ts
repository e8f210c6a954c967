import { ByteWriter } from './bytes';
import { CONTEXT, sign } from './signing';
import type { Verifier } from './verifier';

/** One side of a connection as the handshake binds it (docs/protocol.md §7.2). */
export type HandshakeSide = { handle: string; key: Uint8Array; nonce: Uint8Array; fingerprint: string };

/**
 * The bytes a side signs in `auth`: the negotiated version, then the signer's side and the
 * other side (handle, key, fresh nonce, DTLS fingerprint). A relay in the middle has other
 * fingerprints on each leg, and a replayed `auth` has a stale nonce, so neither verifies.
 */
export function handshakeTranscript(version: number, signer: HandshakeSide, other: HandshakeSide): Uint8Array {
  const w = new ByteWriter().u16(version);
  for (const s of [signer, other]) w.text(s.handle).fixed(s.key, 32).fixed(s.nonce, 32).text(normalizeFingerprint(s.fingerprint));
  return w.finish();
}

/**
 * The fingerprint as the transcript carries it (§7.2): runs of ASCII whitespace made one space and
 * trimmed, A–Z lowercased, so two browsers that print the same SDP value in another case still agree.
 */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint
    .replace(/[ \t\r\n]+/g, ' ')
    .replace(/^ | $/g, '')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export const signHandshake = (version: number, me: HandshakeSide, peer: HandshakeSide, secretKey: Uint8Array): Uint8Array =>
  sign(CONTEXT.hello, handshakeTranscript(version, me, peer), secretKey);

export const verifyHandshake = (verifier: Verifier, version: number, peer: HandshakeSide, me: HandshakeSide, signature: Uint8Array): Promise<boolean> =>
  verifier.verify(CONTEXT.hello, handshakeTranscript(version, peer, me), signature, peer.key);

/** Highest version both sides list, or null. */
export function negotiateVersion(mine: readonly number[], theirs: readonly number[]): number | null {
  const common = mine.filter((v) => theirs.includes(v));
  return common.length ? Math.max(...common) : null;
}
