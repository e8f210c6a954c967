import { fromHex, toHex } from '@/core/bytes';
import { decodeFork, encodeFork, type ForkStatement, type ForkStatements } from '@/core/forkStatement';
import { LIMITS } from '@/core/limits';
import { forkPointKey, type SettledForks } from '@/core/settledForks';
import type { ContentDb } from '../content-db';
import { guardStorage } from './storage-errors';

/** Under the `meta` store (no store of its own, so no schema step); read back through a check, never trusted. */
const statementsKey = (wall: string) => `forkStatements:${wall}`;
const NOTICE_KEY = 'wallForked';
/** A fork statement encoded: 1 + 4 + 15 + 8 + 32 + 32 + 64 bytes at most, in hex. */
const STATEMENT_HEX = 2 * 156;
const NOTICE_UNITS = 600;

function readStatements(value: unknown): ForkStatement[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((hex) => {
    const bytes = typeof hex === 'string' && hex.length <= STATEMENT_HEX ? fromHex(hex, hex.length / 2) : null;
    const decoded = bytes ? decodeFork(bytes) : null;
    return decoded?.ok ? [decoded.value] : [];
  }).slice(-LIMITS.forkStatements);
}

/** The fork statements this side made or checked (docs/protocol.md §8 Forks), at most LIMITS.forkStatements per wall. */
export function createIdbForkStatements(db: ContentDb): ForkStatements {
  return {
    async held(wall) {
      return readStatements((await db.get('meta', statementsKey(wall)))?.value);
    },
    keep: (s) =>
      guardStorage(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const held = readStatements((await tx.store.get(statementsKey(s.wall)))?.value);
        const hex = toHex(encodeFork(s));
        if (!held.some((k) => toHex(encodeFork(k)) === hex)) {
          await tx.store.put({ key: statementsKey(s.wall), value: [...held.map((k) => toHex(encodeFork(k))), hex].slice(-LIMITS.forkStatements) });
        }
        await tx.done;
      }),
  };
}

const SETTLED_KEY = 'settledForks';
/** One remembered point: a handle (at most 15 bytes, §4.1), a seq and a seal hash in hex. */
const POINT_UNITS = 16 + 21 + 64;

function readPoints(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is string => typeof p === 'string' && p.length <= POINT_UNITS).slice(-LIMITS.settledForks);
}

/** Forks of one's own wall already answered or unrepairable (§8 Forks step 2), at most LIMITS.settledForks. */
export function createIdbSettledForks(db: ContentDb): SettledForks {
  return {
    async has(point) {
      return readPoints((await db.get('meta', SETTLED_KEY))?.value).includes(forkPointKey(point));
    },
    add: (point) =>
      guardStorage(async () => {
        const tx = db.transaction('meta', 'readwrite');
        const held = readPoints((await tx.store.get(SETTLED_KEY))?.value);
        const key = forkPointKey(point);
        if (!held.includes(key)) await tx.store.put({ key: SETTLED_KEY, value: [...held, key].slice(-LIMITS.settledForks) });
        await tx.done;
      }),
  };
}

/** The sentence telling the person their wall had two versions and what Peerwall did, until dismissed. */
export function createForkNotice(db: ContentDb) {
  return {
    async read(): Promise<string | null> {
      const value = (await db.get('meta', NOTICE_KEY))?.value;
      return typeof value === 'string' && value.length <= NOTICE_UNITS ? value : null;
    },
    set: (sentence: string | null) =>
      guardStorage(async () => {
        if (sentence === null) await db.delete('meta', NOTICE_KEY);
        else await db.put('meta', { key: NOTICE_KEY, value: sentence.slice(0, NOTICE_UNITS) });
      }),
  };
}

export type ForkNotice = ReturnType<typeof createForkNotice>;
