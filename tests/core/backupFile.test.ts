import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKUP_PROBLEMS, createBackupWriter, readBackup } from '../../core/backupFile';
import { toHex } from '../../core/bytes';
import { rotateIdentity } from '../../core/identity';
import { deps, makeUser } from './support/world';

const hexBytes = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${toHex(v)}` : v === undefined ? 'undefined' : v)));

const PASSPHRASE = 'correct horse battery';
const user = makeUser('alice');
const identity = rotateIdentity(user.identity, 4, user.randomBytes).identity;
const records = [
  { store: 'walls', value: { wall: 'alice', seq: 3, head: new Uint8Array([1, 2, 3]) } },
  { store: 'entries', value: { wall: 'alice', seq: 1, body: null, target: undefined, tags: ['a', 2.5, true, false] } },
  // Larger than one frame, so the file holds several.
  { store: 'mediaChunks', value: { name: 'f'.repeat(64), index: 0, bytes: new Uint8Array(1_500_000).fill(7) } },
];

function backup(passphrase = PASSPHRASE): Uint8Array {
  const writer = createBackupWriter(identity, passphrase, { ...deps(user), createdAt: 1234, logN: 10 });
  if (!writer.ok) throw new Error(writer.reason);
  for (const r of records) writer.value.add(r.store, r.value);
  const parts = writer.value.finish();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
const file = backup();

describe('full backup file', () => {
  it('gives back the identity and every record, bytes included', () => {
    const read = readBackup(file, PASSPHRASE);
    if (!read.ok) throw new Error(read.reason);
    expect(read.value).toMatchObject({ identity, createdAt: 1234 });
    // Compared as hex: vitest's deep equality walks a 1.5 MB array element by element.
    expect(hexBytes(read.value.records)).toEqual(hexBytes(records));
    expect(Object.hasOwn(read.value.records[1]!.value as object, 'target')).toBe(true);
  });

  it('tells a wrong passphrase apart from a damaged file', () => {
    expect(readBackup(file, `${PASSPHRASE}!`)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.passphrase });
  });

  it('refuses a file cut short at any length', () => {
    for (const length of [0, 3, 10, 60, 200, file.length - 33, file.length - 1]) {
      expect(readBackup(file.slice(0, length), PASSPHRASE).ok).toBe(false);
    }
    expect(readBackup(file.slice(0, file.length - 1), PASSPHRASE)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.damaged });
  });

  it('refuses any single flipped byte as damaged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const bad = file.slice();
        bad[at]! ^= mask;
        expect(readBackup(bad, PASSPHRASE)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.damaged });
      }),
      { numRuns: 40, examples: [[4, 1], [6, 0x80]] },
    );
  });

  it('refuses a file of another kind as foreign', () => {
    expect(readBackup(new TextEncoder().encode('{"not":"a backup"}'), PASSPHRASE)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.foreign });
    expect(readBackup(new Uint8Array([0x50, 0x57, 0x49, 0x44, 1, 1]), PASSPHRASE)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.foreign });
  });

  it('refuses a passphrase shorter than eight characters', () => {
    expect(createBackupWriter(identity, 'short', { ...deps(user), createdAt: 0 })).toMatchObject({ ok: false, reason: expect.stringContaining('at least 8') });
  });
});
