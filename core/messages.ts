import { ByteReader, ByteWriter, decodeWith, encodeWith } from './bytes';
import { readSignedEntry, type SignedEntry, writeSignedEntry } from './entry';
import { LIMITS } from './limits';
import { type Result, fail } from './result';
import { readReaderPass, type ReaderPass, writeReaderPass } from './readerPass';
import { type ForkStatement, readFork, writeFork } from './forkStatement';
import { readRevocations, type Revocations, writeRevocations } from './revocations';
import { readRotation, type RotationStatement, writeRotation } from './rotation';
import { readSealedEntry, type SealedEntry, writeSealedEntry } from './seal';

/**
 * Protocol versions this implementation speaks (docs/protocol.md §10); 2 adds relaying (§7.5), 3 batches
 * sized by bytes (§7.3), 4 photos and their transfer (§7.6), 5 recovery from friends without the key (§8).
 */
export const PROTOCOL_VERSIONS = [1, 2, 3, 4, 5] as const;
/** The first version with reader passes, relayed walls and carried submissions. */
export const RELAY_VERSION = 2;
/** The first version whose `want.max` and `batch` go up to `LIMITS.byteBatchEntries`. */
export const BYTE_BATCH_VERSION = 3;
/** The first version with photo bodies and the `fetch` / `chunk` / `missing` frames. */
export const MEDIA_VERSION = 4;
/** The first version with recovery statements (§4.2), rule 10 of §5.4 and `recover-request`. */
export const RECOVERY_VERSION = 5;
/** The first version whose photo window (`fetch.count`, chunks in flight) is `LIMITS.wideMediaChunksInFlight`. */
export const WIDE_FETCH_VERSION = 5;

/** The most entries a `want` may ask for and a `batch` may hold in a session of `version`. */
export const batchEntriesFor = (version: number): number =>
  version >= BYTE_BATCH_VERSION ? LIMITS.byteBatchEntries : LIMITS.batchEntries;

/** The most photo chunks one side may have asked for and not received, over all its fetches, in a session of `version`. */
export const mediaWindowFor = (version: number): number =>
  version >= WIDE_FETCH_VERSION ? LIMITS.wideMediaChunksInFlight : LIMITS.mediaChunksInFlight;

/** Every peer-to-peer message on the data channel (docs/protocol.md §7.1), one per frame. */
export type PeerMessage =
  | { type: 'hello'; versions: number[]; handle: string; key: Uint8Array; nonce: Uint8Array; rotations: RotationStatement[] }
  | { type: 'auth'; signature: Uint8Array }
  | { type: 'error'; code: ErrorCode; message: string }
  | { type: 'want'; wall: string; afterSeq: number; max: number }
  | { type: 'batch'; wall: string; headSeq: number; entries: SealedEntry[] }
  | { type: 'notify'; wall: string; headSeq: number }
  | { type: 'submit'; entries: SignedEntry[] }
  | { type: 'submitted'; results: SubmitResult[] }
  | { type: 'pass'; pass: ReaderPass }
  | { type: 'revocations'; list: Revocations }
  | { type: 'heads'; passes: ReaderPass[] }
  | { type: 'holds'; walls: WallHead[] }
  | { type: 'carry'; wall: string; entries: SignedEntry[] }
  | { type: 'fetch'; wall: string; file: Uint8Array; from: number; count: number }
  | { type: 'chunk'; file: Uint8Array; index: number; data: Uint8Array }
  | { type: 'missing'; file: Uint8Array; reason: MissingReason }
  | { type: 'fork'; wall: string }
  | { type: 'forked'; statement: ForkStatement };

/** Why a `fetch` gets no (more) chunks: the side does not hold the file for that wall, or the asker may not read the wall. */
export type MissingReason = 'not_held' | 'not_allowed';
const MISSING_REASONS: readonly MissingReason[] = ['not_held', 'not_allowed'];
/** Chunks in the largest file: a `fetch` and a `chunk` name indexes below this. */
const MAX_CHUNKS = LIMITS.mediaBytes / LIMITS.mediaChunkBytes;

/** How far a holder has a wall (`holds`), with the holder's own pass for it: proof it is the owner's friend. */
export type WallHead = { wall: string; headSeq: number; pass: ReaderPass };

/** `deferred` means "not now, keep it queued" (the owner is restoring its wall or was busy). */
export type SubmitStatus = 'accepted' | 'rejected' | 'deferred';
export type SubmitResult = { id: Uint8Array; status: SubmitStatus; reason: string };
const SUBMIT_STATUSES: readonly SubmitStatus[] = ['accepted', 'rejected', 'deferred'];

export const ERROR_CODES = [
  'unsupported_version',
  'bad_message',
  'too_large',
  'bad_auth',
  'wrong_peer',
  'not_friends',
  'key_changed',
  'invalid_batch',
  'not_allowed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const TAG = {
  hello: 1,
  auth: 2,
  error: 3,
  want: 16,
  batch: 17,
  notify: 18,
  submit: 19,
  submitted: 20,
  pass: 21,
  revocations: 22,
  heads: 23,
  holds: 24,
  carry: 25,
  fetch: 26,
  chunk: 27,
  missing: 28,
  fork: 29,
  forked: 30,
} as const;

/** `hello` starts with these bytes in every protocol version, so any peer can read another's versions. */
export const HELLO_MAGIC = new Uint8Array([0x50, 0x57, 0x41, 0x4c]); // "PWAL"

export function encodeMessage(m: PeerMessage): Uint8Array {
  const w = new ByteWriter().u8(TAG[m.type]);
  switch (m.type) {
    case 'hello':
      w.fixed(HELLO_MAGIC, 4)
        .list(m.versions, (w2, v) => w2.u16(v))
        .text(m.handle)
        .fixed(m.key, 32)
        .fixed(m.nonce, 32)
        .list(m.rotations, writeRotation);
      break;
    case 'auth':
      w.fixed(m.signature, 64);
      break;
    case 'error':
      w.text(m.code).text(m.message);
      break;
    case 'want':
      w.text(m.wall).u64(m.afterSeq).u16(m.max);
      break;
    case 'batch':
      return encodeBatchFrame(m.wall, m.headSeq, m.entries.map((e) => encodeWith(writeSealedEntry, e)));
    case 'notify':
      w.text(m.wall).u64(m.headSeq);
      break;
    case 'submit':
      return encodeSubmitFrame(m.entries.map((e) => encodeWith(writeSignedEntry, e)));
    case 'submitted':
      w.list(m.results, (w2, r) => w2.fixed(r.id, 32).u8(SUBMIT_STATUSES.indexOf(r.status)).text(r.reason));
      break;
    case 'pass':
      writeReaderPass(w, m.pass);
      break;
    case 'revocations':
      writeRevocations(w, m.list);
      break;
    case 'heads':
      w.list(m.passes, writeReaderPass);
      break;
    case 'holds':
      w.list(m.walls, (w2, h) => {
        w2.text(h.wall).u64(h.headSeq);
        writeReaderPass(w2, h.pass);
      });
      break;
    case 'carry':
      return encodeCarryFrame(m.wall, m.entries.map((e) => encodeWith(writeSignedEntry, e)));
    case 'fetch':
      w.text(m.wall).fixed(m.file, 32).u16(m.from).u16(m.count);
      break;
    case 'chunk':
      w.fixed(m.file, 32).u16(m.index).bytes(m.data);
      break;
    case 'missing':
      w.fixed(m.file, 32).u8(MISSING_REASONS.indexOf(m.reason));
      break;
    case 'fork':
      w.text(m.wall);
      break;
    case 'forked':
      writeFork(w, m.statement);
      break;
  }
  return w.finish();
}

/**
 * A `batch` frame from entries already encoded by `writeSealedEntry`: a sender measures each entry
 * to fit the frame, so it is not encoded a second time. The one layout of a batch.
 */
export function encodeBatchFrame(wall: string, headSeq: number, entries: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter().u8(TAG.batch).text(wall).u64(headSeq).u16(entries.length);
  for (const entry of entries) w.encoded(entry);
  return w.finish();
}

/** A `submit` frame from entries already encoded by `writeSignedEntry`. The one layout of a submit. */
export function encodeSubmitFrame(entries: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter().u8(TAG.submit).u16(entries.length);
  for (const entry of entries) w.encoded(entry);
  return w.finish();
}

/** A `carry` frame from entries already encoded by `writeSignedEntry`. The one layout of a carry. */
export function encodeCarryFrame(wall: string, entries: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter().u8(TAG.carry).text(wall).u16(entries.length);
  for (const entry of entries) w.encoded(entry);
  return w.finish();
}

function readMessage(r: ByteReader): PeerMessage {
  const tag = r.u8('message type');
  switch (tag) {
    case TAG.hello: {
      const magic = r.fixed(4, 'magic');
      if (!magic.every((b, i) => b === HELLO_MAGIC[i])) throw new RangeError('not a Peerwall hello');
      return {
        type: 'hello',
        versions: r.list(LIMITS.helloVersions, (r2) => r2.u16('version'), 'versions'),
        handle: r.text(LIMITS.handleBytes, 'handle'),
        key: r.fixed(32, 'key'),
        nonce: r.fixed(32, 'nonce'),
        rotations: r.list(LIMITS.rotations, readRotation, 'rotations'),
      };
    }
    case TAG.auth:
      return { type: 'auth', signature: r.fixed(64, 'signature') };
    case TAG.error: {
      const code = r.text(LIMITS.errorCodeChars, 'error code');
      const message = r.chars(LIMITS.errorMessageChars, 'error message');
      if (!(ERROR_CODES as readonly string[]).includes(code)) throw new RangeError(`unknown error code ${code}`);
      return { type: 'error', code: code as ErrorCode, message };
    }
    case TAG.want: {
      const m = { type: 'want' as const, wall: r.text(LIMITS.handleBytes, 'wall'), afterSeq: r.u64('after'), max: r.u16('max') };
      // The session holds a version-1 or -2 peer to LIMITS.batchEntries (batchEntriesFor).
      if (m.max < 1 || m.max > LIMITS.byteBatchEntries) throw new RangeError(`want.max must be 1–${LIMITS.byteBatchEntries}`);
      return m;
    }
    case TAG.batch:
      return {
        type: 'batch',
        wall: r.text(LIMITS.handleBytes, 'wall'),
        headSeq: r.u64('head'),
        entries: r.list(LIMITS.byteBatchEntries, readSealedEntry, 'entries'),
      };
    case TAG.notify:
      return { type: 'notify', wall: r.text(LIMITS.handleBytes, 'wall'), headSeq: r.u64('head') };
    case TAG.submit:
      return { type: 'submit', entries: r.list(LIMITS.submitEntries, readSignedEntry, 'entries') };
    case TAG.submitted:
      return {
        type: 'submitted',
        results: r.list(
          LIMITS.submitEntries,
          (r2) => {
            const id = r2.fixed(32, 'id');
            const status = SUBMIT_STATUSES[r2.u8('status')];
            if (!status) throw new RangeError('unknown submit status');
            return { id, status, reason: r2.chars(LIMITS.reasonChars, 'rejection reason') };
          },
          'results',
        ),
      };
    case TAG.pass:
      return { type: 'pass', pass: readReaderPass(r) };
    case TAG.revocations:
      return { type: 'revocations', list: readRevocations(r) };
    case TAG.heads:
      return { type: 'heads', passes: r.list(LIMITS.headsPerFrame, readReaderPass, 'passes') };
    case TAG.holds:
      return {
        type: 'holds',
        walls: r.list(LIMITS.headsPerFrame, (r2) => ({ wall: r2.text(LIMITS.handleBytes, 'wall'), headSeq: r2.u64('head'), pass: readReaderPass(r2) }), 'walls'),
      };
    case TAG.carry:
      return { type: 'carry', wall: r.text(LIMITS.handleBytes, 'wall'), entries: r.list(LIMITS.submitEntries, readSignedEntry, 'entries') };
    case TAG.fetch: {
      const m = { type: 'fetch' as const, wall: r.text(LIMITS.handleBytes, 'wall'), file: r.fixed(32, 'file'), from: r.u16('from'), count: r.u16('count') };
      // The session holds a version-4 peer to LIMITS.mediaChunksInFlight (mediaWindowFor).
      if (m.count < 1 || m.count > LIMITS.wideMediaChunksInFlight) throw new RangeError(`fetch.count must be 1–${LIMITS.wideMediaChunksInFlight}`);
      if (m.from + m.count > MAX_CHUNKS) throw new RangeError('fetch asks beyond the largest file');
      return m;
    }
    case TAG.chunk: {
      const m = { type: 'chunk' as const, file: r.fixed(32, 'file'), index: r.u16('index'), data: r.bytes(LIMITS.mediaChunkBytes, 'chunk') };
      if (m.index >= MAX_CHUNKS || m.data.length === 0) throw new RangeError('chunk index or size out of range');
      return m;
    }
    case TAG.missing: {
      const file = r.fixed(32, 'file');
      const reason = MISSING_REASONS[r.u8('reason')];
      if (!reason) throw new RangeError('unknown missing reason');
      return { type: 'missing', file, reason };
    }
    case TAG.fork:
      return { type: 'fork', wall: r.text(LIMITS.handleBytes, 'wall') };
    case TAG.forked:
      return { type: 'forked', statement: readFork(r) };
    default:
      throw new RangeError(`unknown message type ${tag}`);
  }
}

/**
 * The versions a `hello` offers, read from its frozen prefix (tag, magic, version list) only, so a
 * hello whose later fields this version cannot read still gets `unsupported_version` (§7.2, §10).
 * Null when the frame does not start like a hello.
 */
export function helloVersions(frame: unknown): number[] | null {
  if (!(frame instanceof Uint8Array) || frame.length > LIMITS.frameBytes) return null;
  try {
    const r = new ByteReader(frame);
    if (r.u8() !== TAG.hello || !r.fixed(4).every((b, i) => b === HELLO_MAGIC[i])) return null;
    return r.list(LIMITS.helloVersions, (r2) => r2.u16('version'), 'versions');
  } catch {
    return null;
  }
}

/** Decodes one frame from a peer: a typed message or the reason it was refused. Never throws. */
export function decodeMessage(frame: unknown): Result<PeerMessage> {
  if (frame instanceof Uint8Array && frame.length > LIMITS.frameBytes) return fail('frame is larger than 256 KiB');
  return decodeWith(frame, readMessage, 'message');
}
