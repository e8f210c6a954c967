import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, bytesEqual } from './bytes';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';

/** Image types a post may refer to. */
export const MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/**
 * A reference to an image carried by a post (docs/protocol.md §5.3). The file itself travels
 * separately in chunks of `LIMITS.mediaChunkBytes`; each chunk is checked against `chunks[i]`
 * as it arrives and the whole against `sha256`.
 */
export type MediaRef = { sha256: Uint8Array; size: number; type: MediaType; chunks: Uint8Array[] };

export function chunkCount(size: number): number {
  return Math.ceil(size / LIMITS.mediaChunkBytes);
}

export function mediaRefFor(bytes: Uint8Array, type: MediaType): Result<MediaRef> {
  if (bytes.length === 0) return fail('The image is empty.');
  if (bytes.length > LIMITS.mediaBytes) return fail('Images can be at most 16 MiB.');
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += LIMITS.mediaChunkBytes) {
    chunks.push(sha256(bytes.subarray(at, at + LIMITS.mediaChunkBytes)));
  }
  return ok({ sha256: sha256(bytes), size: bytes.length, type, chunks });
}

/**
 * Whether two references describe the same file in the same way. The file hash alone does not bind the
 * size and chunk list an entry claims for it: a forged reference can name another's file hash.
 */
export function sameMediaRef(a: MediaRef, b: MediaRef): boolean {
  return (
    bytesEqual(a.sha256, b.sha256) &&
    a.size === b.size &&
    a.type === b.type &&
    a.chunks.length === b.chunks.length &&
    a.chunks.every((chunk, i) => bytesEqual(chunk, b.chunks[i]!))
  );
}

/** SHA-256 of some bytes, maybe native (WebCrypto's `digest`) and so asynchronous. */
export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>;

/** The pure-JS SHA-256, for a side that passes none in. */
export const pureSha256: Sha256 = async (bytes) => sha256(bytes);

/** What `subtleSha256` needs of WebCrypto (`crypto.subtle`), passed in so the core names no runtime global. */
export type SubtleDigest = { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };

/** SHA-256 by the runtime's WebCrypto: native, off the JavaScript hashing path. */
export const subtleSha256 =
  (subtle: SubtleDigest): Sha256 =>
  async (bytes) =>
    new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));

/** Whether `chunk` has the index and length chunk number `index` of the referenced file must have. */
function fitsChunk(ref: MediaRef, index: number, chunk: Uint8Array): boolean {
  if (!ref.chunks[index]) return false;
  const last = index === ref.chunks.length - 1;
  return chunk.length === (last ? ref.size - index * LIMITS.mediaChunkBytes : LIMITS.mediaChunkBytes);
}

/** True when `chunk` is exactly chunk number `index` of the referenced file. */
export function verifyMediaChunk(ref: MediaRef, index: number, chunk: Uint8Array): boolean {
  return fitsChunk(ref, index, chunk) && bytesEqual(sha256(chunk), ref.chunks[index]!);
}

/** `verifyMediaChunk` with a hash passed in (a browser's native one hashes 64 KiB far faster). */
export async function checkMediaChunk(ref: MediaRef, index: number, chunk: Uint8Array, hash: Sha256): Promise<boolean> {
  return fitsChunk(ref, index, chunk) && bytesEqual(await hash(chunk), ref.chunks[index]!);
}

export function writeMediaRef(w: ByteWriter, m: MediaRef): void {
  w.fixed(m.sha256, 32).u32(m.size).text(m.type).list(m.chunks, (w2, c) => w2.fixed(c, 32));
}

export function readMediaRef(r: ByteReader): MediaRef {
  const digest = r.fixed(32, 'media hash');
  const size = r.u32('media size');
  const type = r.text(LIMITS.mediaTypeChars, 'media type');
  const maxChunks = chunkCount(LIMITS.mediaBytes);
  const chunks = r.list(maxChunks, (r2) => r2.fixed(32, 'chunk hash'), 'media chunks');
  if (size < 1 || size > LIMITS.mediaBytes) throw new RangeError('media size out of range');
  if (!(MEDIA_TYPES as readonly string[]).includes(type)) throw new RangeError(`unsupported media type ${type}`);
  if (chunks.length !== chunkCount(size)) throw new RangeError('media chunk count does not match its size');
  return { sha256: digest, size, type: type as MediaType, chunks };
}
