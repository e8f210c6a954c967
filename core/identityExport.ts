import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { ByteReader, ByteWriter, bytesEqual, codePointLength, concatBytes, decodeWith } from './bytes';
import { isCanonicalHandle } from './handle';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { readKeyStatement, verifyRotationChain, writeKeyStatement } from './rotation';
import { publicKeyOf } from './signing';

/** "PWID": a passphrase-encrypted identity export (docs/protocol.md §4.5). */
const MAGIC = new Uint8Array([0x50, 0x57, 0x49, 0x44]);
export const EXPORT_DEFAULT_LOG_N = 17;
const LOG_N_RANGE = [10, 20] as const;
const MAX_EXPORT_BYTES = 64 * 1024;
export const MIN_PASSPHRASE_CHARS = 8;

type Envelope = { logN: number; salt: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array };

function envelopeHeader(logN: number, salt: Uint8Array, nonce: Uint8Array): Uint8Array {
  return new ByteWriter().fixed(MAGIC, 4).u8(1).u8(1).u8(logN).u8(8).u8(1).fixed(salt, 16).fixed(nonce, 24).finish();
}

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Uint8Array {
  return scrypt(passphrase.normalize('NFC'), salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32 });
}

/** Encrypts the identity (secret key, handle, rotation history) under a passphrase. */
export function exportIdentity(
  identity: Identity,
  passphrase: string,
  deps: { randomBytes: RandomBytes; now: () => number; logN?: number },
): Result<Uint8Array> {
  if (codePointLength(passphrase) < MIN_PASSPHRASE_CHARS) return fail(`Choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`);
  const logN = deps.logN ?? EXPORT_DEFAULT_LOG_N;
  if (logN < LOG_N_RANGE[0] || logN > LOG_N_RANGE[1]) return fail('Unsupported key-derivation cost.');
  const plaintext = new ByteWriter()
    .u8(1)
    .text(identity.handle)
    .fixed(identity.secretKey, 32)
    .list(identity.rotations, writeKeyStatement)
    .u64(deps.now())
    .finish();
  const salt = deps.randomBytes(16);
  const nonce = deps.randomBytes(24);
  const header = envelopeHeader(logN, salt, nonce);
  const ciphertext = xchacha20poly1305(deriveKey(passphrase, salt, logN), nonce, header).encrypt(plaintext);
  return ok(concatBytes(header, new ByteWriter().bytes(ciphertext).finish()));
}

function readEnvelope(r: ByteReader): Envelope {
  if (!bytesEqual(r.fixed(4, 'magic'), MAGIC)) throw new RangeError('this is not a Peerwall identity file');
  const [format, kdf, logN, rCost, p] = [r.u8(), r.u8(), r.u8(), r.u8(), r.u8()];
  if (format !== 1 || kdf !== 1 || rCost !== 8 || p !== 1) throw new RangeError('unsupported identity file version');
  if (logN < LOG_N_RANGE[0] || logN > LOG_N_RANGE[1]) throw new RangeError('unsupported key-derivation cost');
  return { logN, salt: r.fixed(16, 'salt'), nonce: r.fixed(24, 'nonce'), ciphertext: r.bytes(MAX_EXPORT_BYTES, 'ciphertext') };
}

function readSecret(r: ByteReader): { handle: string; secretKey: Uint8Array; rotations: Identity['rotations'] } {
  if (r.u8('format') !== 1) throw new RangeError('unsupported identity format');
  const handle = r.text(LIMITS.handleBytes, 'handle');
  const secretKey = r.fixed(32, 'secret key');
  const rotations = r.list(LIMITS.rotations, readKeyStatement, 'rotations');
  r.u64('exported at');
  return { handle, secretKey, rotations };
}

/** Decrypts and checks an identity export. A wrong passphrase and a damaged file read the same way. */
export function importIdentity(file: unknown, passphrase: string): Result<Identity> {
  if (file instanceof Uint8Array && file.length > MAX_EXPORT_BYTES + 128) return fail('This file is too large to be a Peerwall identity.');
  const envelope = decodeWith(file, readEnvelope, 'identity file');
  if (!envelope.ok) return fail('This is not a Peerwall identity file, or it is damaged.');
  const { logN, salt, nonce, ciphertext } = envelope.value;
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(deriveKey(passphrase, salt, logN), nonce, envelopeHeader(logN, salt, nonce)).decrypt(ciphertext);
  } catch {
    return fail('Wrong passphrase, or the file is damaged.');
  }
  const secret = decodeWith(plaintext, readSecret, 'identity');
  if (!secret.ok || !isCanonicalHandle(secret.value.handle)) return fail('The identity in this file is damaged.');
  const publicKey = publicKeyOf(secret.value.secretKey);
  if (!verifyRotationChain(secret.value.handle, secret.value.rotations, publicKey).ok) return fail('The key history in this file is invalid.');
  return ok({ ...secret.value, publicKey });
}
