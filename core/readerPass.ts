import { ByteReader, ByteWriter, bytesEqual, decodeWith, encodeWith } from './bytes';
import type { Identity } from './identity';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { type Revocations, isRevoked } from './revocations';
import type { SignatureCache } from './signatureCache';
import { CONTEXT, sign, verify } from './signing';

/**
 * A wall owner's word that `reader` (with `readerKey`) may receive the owner's wall from any
 * friend who holds it, until `expiresAt` (docs/protocol.md §7.5). `tag` names the friendship in
 * revocation lists without naming the reader.
 */
export type ReaderPass = {
  wall: string;
  ownerKey: Uint8Array;
  reader: string;
  readerKey: Uint8Array;
  tag: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  sig: Uint8Array;
};

function writeSignedPart(w: ByteWriter, p: Omit<ReaderPass, 'sig'>): void {
  w.u8(1).text(p.wall).fixed(p.ownerKey, 32).text(p.reader).fixed(p.readerKey, 32).fixed(p.tag, 16).u64(p.issuedAt).u64(p.expiresAt);
}

export function writeReaderPass(w: ByteWriter, p: ReaderPass): void {
  writeSignedPart(w, p);
  w.fixed(p.sig, 64);
}

export function readReaderPass(r: ByteReader): ReaderPass {
  const format = r.u8('pass format');
  if (format !== 1) throw new RangeError(`unknown pass format ${format}`);
  return {
    wall: r.text(LIMITS.handleBytes, 'pass wall'),
    ownerKey: r.fixed(32, 'pass owner key'),
    reader: r.text(LIMITS.handleBytes, 'pass reader'),
    readerKey: r.fixed(32, 'pass reader key'),
    tag: r.fixed(16, 'pass tag'),
    issuedAt: r.u64('pass issued at'),
    expiresAt: r.u64('pass expires at'),
    sig: r.fixed(64, 'pass signature'),
  };
}

export const encodeReaderPass = (p: ReaderPass): Uint8Array => encodeWith(writeReaderPass, p);
export const decodeReaderPass = (bytes: unknown): Result<ReaderPass> => decodeWith(bytes, readReaderPass, 'reader pass');

/** The owner signs a pass for a friend, valid for `LIMITS.passLifetimeMs` from `now`. */
export function issuePass(owner: Identity, reader: { handle: string; key: Uint8Array }, tag: Uint8Array, now: number): ReaderPass {
  const fields = {
    wall: owner.handle,
    ownerKey: owner.publicKey,
    reader: reader.handle,
    readerKey: reader.key,
    tag,
    issuedAt: now,
    expiresAt: now + LIMITS.passLifetimeMs,
  };
  return { ...fields, sig: sign(CONTEXT.readerPass, encodeWith(writeSignedPart, fields), owner.secretKey) };
}

/** What a pass must say to let the person in front of the checker read `wall`. */
export type PassExpectation = {
  wall: string;
  reader: string;
  readerKey: Uint8Array;
  /** The keys the checker accepts for the wall's owner: its pin and its copy's current key. */
  ownerKeys: readonly Uint8Array[];
  now: number;
  revocations: Revocations | null;
  /** Passes whose signature this side already verified (the same pass is shown in session after session). */
  verified?: SignatureCache;
};

/** Checks a pass shown by `reader` for `wall` (§7.5); the reason says what is wrong with it. */
export function checkPass(p: ReaderPass, x: PassExpectation): Result<void> {
  if (p.wall !== x.wall) return fail(`the pass is for @${p.wall}'s wall, not @${x.wall}'s`);
  if (p.reader !== x.reader) return fail(`the pass was issued to @${p.reader}, not @${x.reader}`);
  if (!bytesEqual(p.readerKey, x.readerKey)) return fail(`the pass names a key @${x.reader} does not use`);
  if (!x.ownerKeys.some((k) => bytesEqual(k, p.ownerKey))) return fail(`the pass is signed by a key that is not @${x.wall}'s`);
  if (!verifiedBefore(p, x.verified)) return fail(`the pass's signature does not verify`);
  if (p.expiresAt <= p.issuedAt || p.expiresAt - p.issuedAt > LIMITS.passLifetimeMs) return fail('the pass lasts longer than a pass may');
  if (p.expiresAt <= x.now) return fail('the pass has expired');
  if (p.expiresAt > x.now + LIMITS.passLifetimeMs + LIMITS.clockSkewMs) return fail('the pass is dated in the future');
  if (x.revocations && isRevoked(x.revocations, p.tag)) return fail(`@${x.wall} has revoked this pass`);
  return ok(undefined);
}

function verifiedBefore(p: ReaderPass, cache: SignatureCache | undefined): boolean {
  if (!cache) return verifyPassSignature(p);
  const bytes = encodeReaderPass(p);
  if (cache.has(bytes)) return true;
  const valid = verifyPassSignature(p);
  if (valid) cache.add(bytes);
  return valid;
}

export function verifyPassSignature(p: ReaderPass): boolean {
  const { sig, ...fields } = p;
  return verify(CONTEXT.readerPass, encodeWith(writeSignedPart, fields), sig, p.ownerKey);
}
