import fc from 'fast-check';
import type { EntryBody, PostBody } from '../../../core/body';
import type { Photo } from '../../../core/photo';
import type { EntryHeader, SignedEntry } from '../../../core/entry';
import { ENTRY_KINDS, type EntryKind } from '../../../core/entryKind';
import { LIMITS } from '../../../core/limits';
import { chunkCount, MEDIA_TYPES, type MediaRef } from '../../../core/media';
import { ERROR_CODES, type PeerMessage } from '../../../core/messages';
import type { ReaderPass } from '../../../core/readerPass';
import type { Revocations } from '../../../core/revocations';
import type { RotationStatement } from '../../../core/rotation';
import type { SealedEntry } from '../../../core/seal';

export const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
export const handle = fc.string({ unit: fc.constantFrom(...'abcxyz019_'), minLength: 1, maxLength: 15 });
export const seqNum = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
export const text = (maxLength: number, minLength = 0) => fc.string({ unit: 'grapheme', minLength, maxLength });
export const nonBlank = (maxLength: number) => text(maxLength, 1).filter((t) => t.trim() !== '' && [...t].length <= maxLength);

export const mediaRef: fc.Arbitrary<MediaRef> = fc
  .record({ sha256: bytes(32), size: fc.integer({ min: 1, max: LIMITS.mediaBytes }), type: fc.constantFrom(...MEDIA_TYPES) })
  .chain((m) => fc.array(bytes(32), { minLength: chunkCount(m.size), maxLength: chunkCount(m.size) }).map((chunks) => ({ ...m, chunks })));

export const rotation: fc.Arbitrary<RotationStatement> = fc.record({
  handle,
  oldKey: bytes(32),
  newKey: bytes(32),
  atSeq: seqNum,
  oldSig: bytes(64),
  newSig: bytes(64),
});

const thumbnailRef: fc.Arbitrary<MediaRef> = fc
  .record({ sha256: bytes(32), size: fc.integer({ min: 1, max: LIMITS.thumbnailBytes }), type: fc.constantFrom(...MEDIA_TYPES) })
  .chain((m) => bytes(32).map((chunk) => ({ ...m, chunks: [chunk] })));

export const photo: fc.Arbitrary<Photo> = fc.record({ full: mediaRef, thumbnail: thumbnailRef, alt: text(100) });

const postBody: fc.Arbitrary<PostBody> = fc.oneof(
  fc.record({ text: text(200), media: fc.array(mediaRef, { maxLength: 2 }) }).filter((b) => b.media.length > 0 || b.text.trim() !== ''),
  // Version 4: photos with thumbnails and alt text (body format 2); text may be empty.
  fc.record({ text: text(200), media: fc.constant<MediaRef[]>([]), photos: fc.array(photo, { minLength: 1, maxLength: LIMITS.mediaPerPost }) }),
);

export const entryBody: fc.Arbitrary<EntryBody> = fc.oneof(
  fc.record({ kind: fc.constantFrom('post' as const, 'wallPost' as const, 'edit' as const), body: postBody }),
  fc.record({ kind: fc.constant('comment' as const), body: fc.record({ text: nonBlank(100) }) }),
  fc.record({ kind: fc.constantFrom('like' as const, 'unlike' as const, 'delete' as const), body: fc.constant(null) }),
  fc.record({ kind: fc.constant('profile' as const), body: fc.record({ displayName: text(20), about: text(100) }) }),
  fc.record({ kind: fc.constant('rotate' as const), body: rotation }),
  fc.record({ kind: fc.constant('goodbye' as const), body: fc.record({ text: text(100) }) }),
);

export const header: fc.Arbitrary<EntryHeader> = fc.record({
  kind: fc.constantFrom(...(Object.keys(ENTRY_KINDS) as EntryKind[])),
  wall: handle,
  wallKey: bytes(32),
  author: handle,
  authorKey: bytes(32),
  createdAt: seqNum,
  nonce: bytes(16),
  target: fc.option(bytes(32), { nil: null }),
  bodyHash: bytes(32),
  bodySize: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

export const signedEntry: fc.Arbitrary<SignedEntry> = fc.record({
  header,
  authorSig: bytes(64),
  body: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
});

export const sealedEntry: fc.Arbitrary<SealedEntry> = fc
  .record({ signed: signedEntry, seq: seqNum, prev: bytes(32), ownerSig: bytes(64) })
  .map(({ signed, ...rest }) => ({ ...signed, ...rest }));

export const readerPass: fc.Arbitrary<ReaderPass> = fc.record({
  wall: handle,
  ownerKey: bytes(32),
  reader: handle,
  readerKey: bytes(32),
  tag: bytes(16),
  issuedAt: seqNum,
  expiresAt: seqNum,
  sig: bytes(64),
});

export const revocations: fc.Arbitrary<Revocations> = fc.record({
  wall: handle,
  ownerKey: bytes(32),
  issuedAt: seqNum,
  revoked: fc.array(fc.record({ tag: bytes(16), until: seqNum }), { maxLength: 4 }),
  sig: bytes(64),
});

export const peerMessage: fc.Arbitrary<PeerMessage> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    versions: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: LIMITS.helloVersions }),
    handle,
    key: bytes(32),
    nonce: bytes(32),
    rotations: fc.array(rotation, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('auth' as const), signature: bytes(64) }),
  fc.record({ type: fc.constant('error' as const), code: fc.constantFrom(...ERROR_CODES), message: text(100) }),
  fc.record({ type: fc.constant('want' as const), wall: handle, afterSeq: seqNum, max: fc.integer({ min: 1, max: LIMITS.batchEntries }) }),
  fc.record({ type: fc.constant('batch' as const), wall: handle, headSeq: seqNum, entries: fc.array(sealedEntry, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('notify' as const), wall: handle, headSeq: seqNum }),
  fc.record({ type: fc.constant('submit' as const), entries: fc.array(signedEntry, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('pass' as const), pass: readerPass }),
  fc.record({ type: fc.constant('revocations' as const), list: revocations }),
  fc.record({ type: fc.constant('heads' as const), passes: fc.array(readerPass, { maxLength: 3 }) }),
  fc.record({ type: fc.constant('holds' as const), walls: fc.array(fc.record({ wall: handle, headSeq: seqNum, pass: readerPass }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('carry' as const), wall: handle, entries: fc.array(signedEntry, { maxLength: 3 }) }),
  fc.integer({ min: 1, max: LIMITS.wideMediaChunksInFlight }).chain((count) =>
    fc.record({ type: fc.constant('fetch' as const), wall: handle, file: bytes(32), from: fc.integer({ min: 0, max: 256 - count }), count: fc.constant(count) })),
  fc.record({ type: fc.constant('chunk' as const), file: bytes(32), index: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ type: fc.constant('missing' as const), file: bytes(32), reason: fc.constantFrom('not_held' as const, 'not_allowed' as const) }),
  fc.record({
    type: fc.constant('submitted' as const),
    results: fc.array(
      fc.record({ id: bytes(32), status: fc.constantFrom('accepted' as const, 'rejected' as const, 'deferred' as const), reason: text(50) }),
      { maxLength: LIMITS.submitEntries },
    ),
  }),
);
