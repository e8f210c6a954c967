import { ByteReader, ByteWriter, bytesEqual, decodeWith } from './bytes';
import { isCanonicalHandle } from './handle';
import { LIMITS } from './limits';
import type { Result } from './result';
import { CONTEXT, sign, verify } from './signing';

/**
 * A recovery (docs/protocol.md §4.2, §8, version 5): the holder of `newKey` says it lost `oldKey` (the
 * spec's `lostKey`) and continues the wall `handle` at `atSeq`, right after the entry whose seal hash is
 * `prevSealHash`. Only the new key signs, so it proves nothing alone: a reader takes it only after
 * confirming the new key with the safety number.
 */
export type RecoveryStatement = {
  format: 2;
  handle: string;
  oldKey: Uint8Array;
  newKey: Uint8Array;
  atSeq: number;
  prevSealHash: Uint8Array;
  newSig: Uint8Array;
};

type Unsigned = Omit<RecoveryStatement, 'newSig' | 'format'>;

function signedPart(s: Unsigned): Uint8Array {
  return new ByteWriter().u8(2).text(s.handle).fixed(s.oldKey, 32).fixed(s.newKey, 32).u64(s.atSeq).fixed(s.prevSealHash, 32).finish();
}

export function signRecovery(s: Unsigned, newSecret: Uint8Array): RecoveryStatement {
  return { format: 2, ...s, newSig: sign(CONTEXT.recovery, signedPart(s), newSecret) };
}

export function verifyRecovery(s: RecoveryStatement): boolean {
  if (!isCanonicalHandle(s.handle) || s.atSeq < 1 || bytesEqual(s.oldKey, s.newKey)) return false;
  return verify(CONTEXT.recovery, signedPart(s), s.newSig, s.newKey);
}

export function writeRecovery(w: ByteWriter, s: RecoveryStatement): void {
  w.u8(2).text(s.handle).fixed(s.oldKey, 32).fixed(s.newKey, 32).u64(s.atSeq).fixed(s.prevSealHash, 32).fixed(s.newSig, 64);
}

/** Reads the fields after the format byte (which the caller read to choose the format). */
export function readRecoveryFields(r: ByteReader): RecoveryStatement {
  return {
    format: 2,
    handle: r.text(LIMITS.handleBytes, 'recovery handle'),
    oldKey: r.fixed(32, 'recovery lost key'),
    newKey: r.fixed(32, 'recovery new key'),
    atSeq: r.u64('recovery seq'),
    prevSealHash: r.fixed(32, 'recovery previous seal hash'),
    newSig: r.fixed(64, 'recovery signature'),
  };
}

export const encodeRecovery = (s: RecoveryStatement): Uint8Array => {
  const w = new ByteWriter();
  writeRecovery(w, s);
  return w.finish();
};

export const decodeRecovery = (bytes: unknown): Result<RecoveryStatement> =>
  decodeWith(
    bytes,
    (r) => {
      const format = r.u8('recovery format');
      if (format !== 2) throw new RangeError(`unknown recovery format ${format}`);
      return readRecoveryFields(r);
    },
    'recovery',
  );
