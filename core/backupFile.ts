import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { ByteReader, ByteWriter, bytesEqual, codePointLength, concatBytes, decodeWith } from './bytes';
import { readStoredValue, writeStoredValue, MAX_VALUE_BYTES, type StoredValue } from './backupValues';
import type { Identity, RandomBytes } from './identity';
import { EXPORT_DEFAULT_LOG_N, MIN_PASSPHRASE_CHARS, exportIdentity, importIdentity } from './identityExport';
import { type Result, fail, ok } from './result';

/** "PWBK": a full backup (docs/protocol.md §4.6). */
const MAGIC = new Uint8Array([0x50, 0x57, 0x42, 0x4b]);
const FORMAT = 1;
const HEADER_BYTES = 4 + 5 + 16 + 16;
const CHECKSUM_BYTES = 32;
const LOG_N_RANGE = [10, 20] as const;
/** Records are packed into frames of about this much plaintext, each sealed on its own. */
const FRAME_TARGET_BYTES = 1024 * 1024;
const MAX_FRAME_BYTES = FRAME_TARGET_BYTES + MAX_VALUE_BYTES + 1024;
/** The largest backup read: the file is held in memory while it is checked, before anything is written. */
export const MAX_BACKUP_BYTES = 1024 * 1024 * 1024;
const MAX_STORE_NAME_BYTES = 32;
/**
 * The identity export inside is readable only after the outer layer opened, whose key derivation already
 * carries the cost: the inner one takes the lowest §4.5 allows, so an import derives one costly key, not two.
 */
const INNER_LOG_N = 10;

export const BACKUP_PROBLEMS = {
  foreign: 'This is not a Peerwall backup file. Choose the .pwbackup file you exported. Nothing was changed.',
  damaged: 'This backup file is damaged or incomplete. Nothing was changed; try another copy of it.',
  passphrase: 'Wrong Backup passphrase. Nothing was changed; check it and try again.',
  newer: 'This backup was made by a newer Peerwall. Update the extension, then import it again.',
  tooLarge: `This backup is larger than ${MAX_BACKUP_BYTES / 1024 ** 3} GiB, more than Peerwall can import.`,
  exportTooLarge: `What this browser holds is larger than a backup can carry (${MAX_BACKUP_BYTES / 1024 ** 3} GiB). Nothing was saved.`,
} as const;

export type BackupRecord = { store: string; value: StoredValue };
export interface BackupContents {
  identity: Identity;
  /** When the identity was made (the identity record's `createdAt`). */
  createdAt: number;
  exportedAt: number;
  records: BackupRecord[];
}

function header(logN: number, salt: Uint8Array, noncePrefix: Uint8Array): Uint8Array {
  return new ByteWriter().fixed(MAGIC, 4).u8(FORMAT).u8(1).u8(logN).u8(8).u8(1).fixed(salt, 16).fixed(noncePrefix, 16).finish();
}

function frameCipher(key: Uint8Array, head: Uint8Array, noncePrefix: Uint8Array, index: number, last: boolean) {
  const counter = new ByteWriter().u64(index).finish();
  const aad = concatBytes(head, counter, Uint8Array.of(last ? 1 : 0));
  return xchacha20poly1305(key, concatBytes(noncePrefix, counter), aad);
}

const deriveKey = (passphrase: string, salt: Uint8Array, logN: number): Uint8Array =>
  scrypt(passphrase.normalize('NFC'), salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32 });

export interface BackupWriter {
  /** Adds one stored record of `store`; throws a RangeError for a value no backup can hold, or past the size bound. */
  add(store: string, value: unknown): void;
  /** The file, as parts to hand to a `Blob` without joining them into one array. */
  finish(): Uint8Array[];
}

/** Starts a backup of `identity`; records follow through `add`, packed and sealed a frame at a time. */
export function createBackupWriter(
  identity: Identity,
  passphrase: string,
  deps: { randomBytes: RandomBytes; now: () => number; createdAt: number; logN?: number },
): Result<BackupWriter> {
  if (codePointLength(passphrase) < MIN_PASSPHRASE_CHARS) return fail(`Choose a Backup passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`);
  const logN = deps.logN ?? EXPORT_DEFAULT_LOG_N;
  const inner = exportIdentity(identity, passphrase, { ...deps, logN: INNER_LOG_N });
  if (!inner.ok) return inner;
  const salt = deps.randomBytes(16);
  const noncePrefix = deps.randomBytes(16);
  const head = header(logN, salt, noncePrefix);
  const key = deriveKey(passphrase, salt, logN);
  const parts: Uint8Array[] = [head];
  const checksum = sha256.create().update(head);
  let index = 0;
  let pending = new ByteWriter();
  let pendingBytes = 0;
  let total = head.length;

  const seal = (plaintext: Uint8Array, last: boolean): void => {
    const sealed = frameCipher(key, head, noncePrefix, index, last).encrypt(plaintext);
    const frame = new ByteWriter().u8(last ? 1 : 0).bytes(sealed).finish();
    index += 1;
    total += frame.length;
    parts.push(frame);
    checksum.update(frame);
  };
  seal(new ByteWriter().u8(1).bytes(inner.value).u64(deps.createdAt).u64(deps.now()).finish(), false);

  return ok({
    add(store, value) {
      const record = new ByteWriter().text(store);
      writeStoredValue(record, value);
      const bytes = record.finish();
      if (bytes.length > MAX_VALUE_BYTES) throw new RangeError(`a ${store} record is too large for a backup`);
      // Room for the frame overheads and the checksum: a file the reader would refuse is never made.
      if (total + pendingBytes + bytes.length + 64 * (index + 2) > MAX_BACKUP_BYTES) throw new RangeError(BACKUP_PROBLEMS.exportTooLarge);
      if (pendingBytes > 0 && pendingBytes + bytes.length > FRAME_TARGET_BYTES) {
        seal(pending.finish(), false);
        pending = new ByteWriter();
        pendingBytes = 0;
      }
      pending.encoded(bytes);
      pendingBytes += bytes.length;
    },
    finish() {
      seal(pending.finish(), true);
      parts.push(checksum.digest());
      return parts;
    },
  });
}

type Frame = { last: boolean; sealed: Uint8Array };

function readFrames(r: ByteReader): Frame[] {
  const frames: Frame[] = [];
  while (r.remaining() > 0) frames.push({ last: r.bool('last flag'), sealed: r.bytes(MAX_FRAME_BYTES + 16, 'frame') });
  return frames;
}

function readFirst(r: ByteReader): { inner: Uint8Array; createdAt: number; exportedAt: number } {
  if (r.u8('contents version') !== 1) throw new RangeError('unsupported contents');
  return { inner: r.bytes(64 * 1024, 'identity export'), createdAt: r.u64('created at'), exportedAt: r.u64('exported at') };
}

function readRecords(r: ByteReader): BackupRecord[] {
  const records: BackupRecord[] = [];
  while (r.remaining() > 0) records.push({ store: r.text(MAX_STORE_NAME_BYTES, 'store'), value: readStoredValue(r) });
  return records;
}

/**
 * Checks and decrypts a whole backup before anything is written: the checksum first (a damaged or cut
 * file is told apart from a wrong passphrase), then every frame, then the identity export inside.
 */
export function readBackup(file: Uint8Array, passphrase: string): Result<BackupContents> {
  if (file.length > MAX_BACKUP_BYTES) return fail(BACKUP_PROBLEMS.tooLarge);
  if (file.length < 4 || !bytesEqual(file.subarray(0, 4), MAGIC)) return fail(BACKUP_PROBLEMS.foreign);
  if (file.length < HEADER_BYTES + CHECKSUM_BYTES) return fail(BACKUP_PROBLEMS.damaged);
  const head = file.subarray(0, HEADER_BYTES);
  const [format, kdf, logN, rCost, p] = head.subarray(4, 9);
  // Every format version ends with this checksum, so a damaged version byte reads as damage, not as "newer".
  const body = file.subarray(0, file.length - CHECKSUM_BYTES);
  if (!bytesEqual(sha256(body), file.subarray(file.length - CHECKSUM_BYTES))) return fail(BACKUP_PROBLEMS.damaged);
  if (format !== FORMAT) return fail(BACKUP_PROBLEMS.newer);
  if (kdf !== 1 || rCost !== 8 || p !== 1 || logN === undefined || logN < LOG_N_RANGE[0] || logN > LOG_N_RANGE[1]) {
    return fail(BACKUP_PROBLEMS.damaged);
  }
  const frames = decodeWith(body.subarray(HEADER_BYTES), readFrames, 'backup frames');
  if (!frames.ok || frames.value.length < 2 || frames.value.findIndex((f) => f.last) !== frames.value.length - 1) {
    return fail(BACKUP_PROBLEMS.damaged);
  }
  const salt = head.slice(9, 25);
  const noncePrefix = head.slice(25, 41);
  const key = deriveKey(passphrase, salt, logN);
  const open = (index: number): Uint8Array | null => {
    const frame = frames.value[index]!;
    try {
      return frameCipher(key, head.slice(), noncePrefix, index, frame.last).decrypt(frame.sealed);
    } catch {
      return null;
    }
  };
  // The checksum matched, so a first frame that does not open means the passphrase is wrong.
  const opened = open(0);
  if (!opened) return fail(BACKUP_PROBLEMS.passphrase);
  const first = decodeWith(opened, readFirst, 'backup');
  if (!first.ok) return fail(BACKUP_PROBLEMS.damaged);
  const identity = importIdentity(first.value.inner, passphrase);
  if (!identity.ok) return fail(BACKUP_PROBLEMS.damaged);
  // Frame by frame, so only one frame's plaintext is held beside the records read from it.
  const records: BackupRecord[] = [];
  for (let index = 1; index < frames.value.length; index++) {
    const plaintext = open(index);
    const frameRecords = plaintext ? decodeWith(plaintext, readRecords, 'backup records') : null;
    if (!frameRecords?.ok) return fail(BACKUP_PROBLEMS.damaged);
    for (const record of frameRecords.value) records.push(record);
  }
  return ok({ identity: identity.value, createdAt: first.value.createdAt, exportedAt: first.value.exportedAt, records });
}
