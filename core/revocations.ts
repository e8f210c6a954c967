import { ByteReader, ByteWriter, bytesEqual, decodeWith, encodeWith } from './bytes';
import type { Identity } from './identity';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { CONTEXT, sign, verify } from './signing';

/** One friendship a wall's owner ended: passes with `tag` are void; the last of them expires at `until`. */
export type Revoked = { tag: Uint8Array; until: number };

/**
 * A wall owner's signed list of revoked reader passes (docs/protocol.md §7.5). The newest list
 * (highest `issuedAt`) replaces older ones; it names tags, never readers.
 */
export type Revocations = {
  wall: string;
  ownerKey: Uint8Array;
  issuedAt: number;
  revoked: Revoked[];
  sig: Uint8Array;
};

function writeSignedPart(w: ByteWriter, s: Omit<Revocations, 'sig'>): void {
  w.u8(1).text(s.wall).fixed(s.ownerKey, 32).u64(s.issuedAt).list(s.revoked, (w2, x) => w2.fixed(x.tag, 16).u64(x.until));
}

export function writeRevocations(w: ByteWriter, s: Revocations): void {
  writeSignedPart(w, s);
  w.fixed(s.sig, 64);
}

export function readRevocations(r: ByteReader): Revocations {
  const format = r.u8('revocations format');
  if (format !== 1) throw new RangeError(`unknown revocations format ${format}`);
  return {
    wall: r.text(LIMITS.handleBytes, 'revocations wall'),
    ownerKey: r.fixed(32, 'revocations owner key'),
    issuedAt: r.u64('revocations issued at'),
    revoked: r.list(LIMITS.revokedPasses, (r2) => ({ tag: r2.fixed(16, 'revoked tag'), until: r2.u64('revoked until') }), 'revoked'),
    sig: r.fixed(64, 'revocations signature'),
  };
}

export const encodeRevocations = (s: Revocations): Uint8Array => encodeWith(writeRevocations, s);
export const decodeRevocations = (bytes: unknown): Result<Revocations> => decodeWith(bytes, readRevocations, 'revocations');

export const isRevoked = (s: Revocations, tag: Uint8Array): boolean => s.revoked.some((x) => bytesEqual(x.tag, tag));

/**
 * The owner's next list: `previous` plus `add`, without entries whose passes have all expired.
 * Past `LIMITS.revokedPasses` the entries expiring soonest give way (§7.5 states the bound).
 */
export function issueRevocations(owner: Identity, previous: Revocations | null, add: Revoked[], now: number): Revocations {
  const kept = [...(previous?.revoked ?? []), ...add]
    .filter((x) => x.until > now)
    .sort((a, b) => b.until - a.until)
    .slice(0, LIMITS.revokedPasses);
  const fields = { wall: owner.handle, ownerKey: owner.publicKey, issuedAt: Math.max(now, (previous?.issuedAt ?? 0) + 1), revoked: kept };
  return { ...fields, sig: sign(CONTEXT.revocations, encodeWith(writeSignedPart, fields), owner.secretKey) };
}

/**
 * Checks a list received for `wall` (from its owner or any holder) before it replaces `held`. A
 * list dated up to a day ahead of this side's clock is taken (refusing an owner whose clock is
 * fast would serve a revoked reader); further ahead it could hold back every later list.
 */
export function checkRevocations(s: Revocations, wall: string, ownerKeys: readonly Uint8Array[], held: Revocations | null, now: number): Result<'newer' | 'same'> {
  if (s.issuedAt > now + LIMITS.revocationsAheadMs) return fail('the revocation list is dated more than a day ahead');
  if (s.wall !== wall) return fail(`the revocation list is for @${s.wall}, not @${wall}`);
  if (!ownerKeys.some((k) => bytesEqual(k, s.ownerKey))) return fail(`the revocation list is signed by a key that is not @${wall}'s`);
  const { sig, ...fields } = s;
  if (!verify(CONTEXT.revocations, encodeWith(writeSignedPart, fields), sig, s.ownerKey)) return fail(`the revocation list's signature does not verify`);
  return ok(held && held.issuedAt >= s.issuedAt ? 'same' : 'newer');
}
