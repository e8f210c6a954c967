import { ByteReader, ByteWriter, bytesEqual, decodeWith } from './bytes';
import { isCanonicalHandle } from './handle';
import { LIMITS } from './limits';
import type { Result } from './result';
import { CONTEXT, sign, verify } from './signing';

/**
 * A fork statement (docs/protocol.md §8 Forks, version 5): the owner of `wall` says its wall from `seq`
 * on continues at the entry whose seal hash is `kept`, replacing the one whose seal hash is `replaced`.
 * Signed by the key that sealed entry `seq` of both branches, so only the owner can make it, and bound to
 * `replaced`, so it truncates no copy that never held that entry.
 */
export type ForkStatement = { wall: string; seq: number; replaced: Uint8Array; kept: Uint8Array; sig: Uint8Array };

type Unsigned = Omit<ForkStatement, 'sig'>;

export function encodeForkSigned(s: Unsigned): Uint8Array {
  return new ByteWriter().u8(1).text(s.wall).u64(s.seq).fixed(s.replaced, 32).fixed(s.kept, 32).finish();
}

export function signFork(s: Unsigned, secretKey: Uint8Array): ForkStatement {
  return { ...s, sig: sign(CONTEXT.fork, encodeForkSigned(s), secretKey) };
}

/** True when `key` (the `wallKey` of the entry the reader holds at `seq`) signed this statement. */
export function verifyFork(s: ForkStatement, key: Uint8Array): boolean {
  if (!isCanonicalHandle(s.wall) || s.seq < 1 || bytesEqual(s.replaced, s.kept)) return false;
  return verify(CONTEXT.fork, encodeForkSigned(s), s.sig, key);
}

export function writeFork(w: ByteWriter, s: ForkStatement): void {
  w.u8(1).text(s.wall).u64(s.seq).fixed(s.replaced, 32).fixed(s.kept, 32).fixed(s.sig, 64);
}

export function readFork(r: ByteReader): ForkStatement {
  const format = r.u8('fork format');
  if (format !== 1) throw new RangeError(`unknown fork statement format ${format}`);
  return {
    wall: r.text(LIMITS.handleBytes, 'fork wall'),
    seq: r.u64('fork seq'),
    replaced: r.fixed(32, 'fork replaced seal hash'),
    kept: r.fixed(32, 'fork kept seal hash'),
    sig: r.fixed(64, 'fork signature'),
  };
}

export const encodeFork = (s: ForkStatement): Uint8Array => {
  const w = new ByteWriter();
  writeFork(w, s);
  return w.finish();
};

export const decodeFork = (bytes: unknown): Result<ForkStatement> => decodeWith(bytes, readFork, 'fork statement');

/** Where a side keeps the fork statements it made or checked, at most LIMITS.forkStatements per wall. */
export interface ForkStatements {
  held(wall: string): Promise<ForkStatement[]>;
  /** Keeps `s` (once), dropping the oldest past the limit. */
  keep(s: ForkStatement): Promise<void>;
}

export function createMemoryForkStatements(): ForkStatements {
  const walls = new Map<string, ForkStatement[]>();
  return {
    async held(wall) {
      return structuredClone(walls.get(wall) ?? []);
    },
    async keep(s) {
      const list = walls.get(s.wall) ?? [];
      if (list.some((k) => bytesEqual(k.sig, s.sig))) return;
      walls.set(s.wall, [...list, structuredClone(s)].slice(-LIMITS.forkStatements));
    },
  };
}
