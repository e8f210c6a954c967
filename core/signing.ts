import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './bytes';

/**
 * Domain separation (docs/protocol.md §3): every signature and every identifying hash covers
 * `context || 0x00 || payload`, so bytes signed for one purpose never verify for another.
 */
export const CONTEXT = {
  entry: 'peerwall/v1/entry',
  seal: 'peerwall/v1/seal',
  rotation: 'peerwall/v1/rotation',
  hello: 'peerwall/v1/hello',
  relay: 'peerwall/v1/relay',
  entryId: 'peerwall/v1/entry-id',
  sealHash: 'peerwall/v1/seal-hash',
  safetyNumber: 'peerwall/v1/safety-number',
  readerPass: 'peerwall/v2/reader-pass',
  revocations: 'peerwall/v2/revocations',
  recovery: 'peerwall/v5/recovery',
  fork: 'peerwall/v5/fork',
} as const;

export type Context = (typeof CONTEXT)[keyof typeof CONTEXT];

/** The bytes a signature or context hash actually covers. */
export function framed(context: Context, payload: Uint8Array): Uint8Array {
  return concatBytes(utf8(context), Uint8Array.of(0), payload);
}

export function sign(context: Context, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(framed(context, payload), secretKey);
}

/** Strict RFC 8032 verification (no ZIP-215 leniency); malformed keys or signatures are just `false`. */
export function verify(context: Context, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return ed25519.verify(signature, framed(context, payload), publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function contextHash(context: Context, payload: Uint8Array): Uint8Array {
  return sha256(framed(context, payload));
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

export { sha256 };
