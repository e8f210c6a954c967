import { ByteReader, ByteWriter, decodeWith, toHex } from './bytes';
import { ENTRY_KINDS, type EntryKind, kindFromCode } from './entryKind';
import { LIMITS } from './limits';
import { type Result } from './result';
import { CONTEXT, contextHash, sha256, sign, verify } from './signing';
import type { Verifier } from './verifier';

/**
 * The signed part of an entry (docs/protocol.md §5.2). The body is covered only through
 * `bodyHash`/`bodySize`, so a deletion can drop the body and the header still verifies.
 */
export type EntryHeader = {
  kind: EntryKind;
  /** Handle of the wall (log) this entry belongs to. */
  wall: string;
  /** The wall owner's key the author addressed, so an entry cannot move to a reused handle. */
  wallKey: Uint8Array;
  author: string;
  authorKey: Uint8Array;
  /** Milliseconds since 1970, informative only (never used for ordering). */
  createdAt: number;
  /** 16 random bytes, so two otherwise equal entries (like, unlike, like) have distinct ids. */
  nonce: Uint8Array;
  target: Uint8Array | null;
  bodyHash: Uint8Array;
  bodySize: number;
};

/** An author-signed entry before the wall owner has placed it in the log. */
export type SignedEntry = { header: EntryHeader; authorSig: Uint8Array; body: Uint8Array | null };

export function writeHeader(w: ByteWriter, h: EntryHeader): void {
  w.u8(1)
    .u8(ENTRY_KINDS[h.kind])
    .text(h.wall)
    .fixed(h.wallKey, 32)
    .text(h.author)
    .fixed(h.authorKey, 32)
    .u64(h.createdAt)
    .fixed(h.nonce, 16)
    .option(h.target, (w2, t) => w2.fixed(t, 32))
    .fixed(h.bodyHash, 32)
    .u32(h.bodySize);
}

export function readHeader(r: ByteReader): EntryHeader {
  const format = r.u8('header format');
  if (format !== 1) throw new RangeError(`unknown header format ${format}`);
  const code = r.u8('kind');
  const kind = kindFromCode(code);
  if (!kind) throw new RangeError(`unknown entry kind ${code}`);
  return {
    kind,
    wall: r.text(LIMITS.handleBytes, 'wall'),
    wallKey: r.fixed(32, 'wall key'),
    author: r.text(LIMITS.handleBytes, 'author'),
    authorKey: r.fixed(32, 'author key'),
    createdAt: r.u64('created at'),
    nonce: r.fixed(16, 'nonce'),
    target: r.option((r2) => r2.fixed(32, 'target'), 'target'),
    bodyHash: r.fixed(32, 'body hash'),
    bodySize: r.u32('body size'),
  };
}

export function encodeHeader(h: EntryHeader): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, h);
  return w.finish();
}

export const decodeHeader = (bytes: unknown): Result<EntryHeader> => decodeWith(bytes, readHeader, 'entry header');

/** Entry id: the domain-separated SHA-256 of the encoded header. */
export function entryIdBytes(h: EntryHeader): Uint8Array {
  return contextHash(CONTEXT.entryId, encodeHeader(h));
}

export const entryId = (h: EntryHeader): string => toHex(entryIdBytes(h));

export function signHeader(h: EntryHeader, secretKey: Uint8Array): Uint8Array {
  return sign(CONTEXT.entry, encodeHeader(h), secretKey);
}

export function verifyAuthor(e: SignedEntry): boolean {
  return verify(CONTEXT.entry, encodeHeader(e.header), e.authorSig, e.header.authorKey);
}

/** `verifyAuthor` through a verifier, which may check many entries at once. */
export const authorVerified = (e: SignedEntry, verifier: Verifier): Promise<boolean> =>
  verifier.verify(CONTEXT.entry, encodeHeader(e.header), e.authorSig, e.header.authorKey);

/** True when `body` is the one the header committed to. */
export function bodyMatches(h: EntryHeader, body: Uint8Array): boolean {
  if (body.length !== h.bodySize) return false;
  const digest = sha256(body);
  return digest.every((b, i) => b === h.bodyHash[i]);
}

export function writeSignedEntry(w: ByteWriter, e: SignedEntry): void {
  writeHeader(w, e.header);
  w.fixed(e.authorSig, 64).option(e.body, (w2, b) => w2.bytes(b));
}

export function readSignedEntry(r: ByteReader): SignedEntry {
  return {
    header: readHeader(r),
    authorSig: r.fixed(64, 'author signature'),
    body: r.option((r2) => r2.bytes(LIMITS.bodyBytes, 'body'), 'body'),
  };
}
