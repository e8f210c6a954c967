import { describe, expect, it } from 'vitest';
import { BACKUP_PROBLEMS } from '@/core/backupFile';
import { toHex } from '@/core/bytes';
import { openContentDb, type ContentDb } from '@/platform/content-db';
import { BACKUP_STORES } from '@/platform/backup/backup-stores';
import { mergeBackup } from '@/platform/backup/merge-backup';
import { readCheckedBackup } from '@/platform/backup/read-checked-backup';
import { createSocialNetwork } from './support/social-network';
import { PASSPHRASE, backupOf, world } from './support/backup-world';

let counter = 0;
const freshDb = () => openContentDb(`backup-restore-${++counter}-${Math.random()}`);

/** Every record of every store, bytes as hex, so a deep comparison stays fast and shows what differs. */
async function snapshot(db: ContentDb, without: string[] = []) {
  const out: Record<string, unknown[]> = {};
  for (const store of ['identity', ...BACKUP_STORES] as const) {
    const rows = (await db.getAll(store)) as unknown[];
    out[store] = rows.filter((r) => !(store === 'meta' && without.includes((r as { key: string }).key)));
  }
  return JSON.parse(JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${toHex(v)}` : v === undefined ? '<undefined>' : v))) as unknown;
}

async function importInto(db: ContentDb, file: Uint8Array, passphrase = PASSPHRASE) {
  const checked = readCheckedBackup(file, passphrase);
  if (!checked.ok) return checked;
  return { ok: true as const, value: await mergeBackup(db, checked.value) };
}

describe('full backup and restore', () => {
  it('restores a wiped browser to the same stored state, photos byte-equal, and marks the own wall recovering', async () => {
    const { net, alice, bob } = await world();
    await net.goOffline(bob);
    await alice.service.writeOnWall('bob', 'Waiting in the outbox');
    expect((await alice.db.get('walls', 'alice'))?.seq).toBeGreaterThanOrEqual(4);
    expect(await alice.db.count('outbox')).toBe(1);
    expect(await alice.db.count('friends')).toBe(1);
    for (const store of ['profiles', 'requests', 'relayOutbox', 'blocked', 'passes', 'issuedPasses', 'wallSync', 'mediaUses'] as const) {
      expect(await alice.db.count(store), store).toBeGreaterThan(0);
    }
    const file = await backupOf(alice);
    const restored = await freshDb();

    const outcome = await importInto(restored, file);

    expect(outcome).toMatchObject({ ok: true, value: { recovering: true } });
    expect(await snapshot(restored, ['recovering'])).toEqual(await snapshot(alice.db, ['recovering']));
    expect((await restored.getAll('mediaChunks')).length).toBeGreaterThan(2);
    expect(await restored.get('meta', 'recovering')).toEqual({ key: 'recovering', value: true });
  });

  it('does not make a person without friends wait for a copy nobody holds', async () => {
    const loner = await createSocialNetwork().addUser('carol');
    await loner.service.post('Nobody reads this yet');
    const restored = await freshDb();

    expect(await importInto(restored, await backupOf(loner))).toMatchObject({ ok: true, value: { recovering: false } });
    expect(await restored.get('meta', 'recovering')).toBeUndefined();
  });

  it('writes nothing when the same backup is imported again', async () => {
    const { alice } = await world();
    const file = await backupOf(alice);
    const restored = await freshDb();
    await importInto(restored, file);
    const before = await snapshot(restored);

    expect(await importInto(restored, file)).toEqual({ ok: true, value: { written: 0, recovering: false, differing: [] } });
    expect(await snapshot(restored)).toEqual(before);
  });

  it('refuses a cut, flipped, foreign or wrongly unlocked file with one sentence and changes nothing', async () => {
    const { alice } = await world();
    const file = await backupOf(alice);
    const flipped = file.slice();
    flipped[Math.floor(file.length / 2)]! ^= 0x40;
    const before = await snapshot(alice.db);

    expect(await importInto(alice.db, file.slice(0, file.length - 100))).toEqual({ ok: false, reason: BACKUP_PROBLEMS.damaged });
    expect(await importInto(alice.db, flipped)).toEqual({ ok: false, reason: BACKUP_PROBLEMS.damaged });
    expect(await importInto(alice.db, new TextEncoder().encode('PK\u0003\u0004 a zip file'))).toEqual({ ok: false, reason: BACKUP_PROBLEMS.foreign });
    expect(await importInto(alice.db, file, 'not the passphrase')).toEqual({ ok: false, reason: BACKUP_PROBLEMS.passphrase });
    expect(await snapshot(alice.db)).toEqual(before);
  });

  it('leaves nothing behind when a write fails half-way through the import', async () => {
    const { alice } = await world();
    const checked = readCheckedBackup(await backupOf(alice), PASSPHRASE);
    if (!checked.ok) throw new Error(checked.reason);
    const [first, second] = checked.value.stores.entries;
    second!.id = first!.id; // breaks the unique (wall, id) index on the second entry's write
    const restored = await freshDb();

    await expect(mergeBackup(restored, checked.value)).rejects.toThrow('The backup could not be written here. Nothing was changed');
    expect(await snapshot(restored)).toEqual(await snapshot(await freshDb()));
  });

  it('refuses a backup of another key for the same handle and changes nothing', async () => {
    const { alice } = await world();
    const other = await createSocialNetwork().addUser('alice');
    await other.service.post('A different alice');
    const before = await snapshot(alice.db);

    await expect(importInto(alice.db, await backupOf(other))).rejects.toThrow('another key for @alice');
    expect(await snapshot(alice.db)).toEqual(before);
  });

  it('lets the backup replace a key made by signing in before restoring, which nobody has seen', async () => {
    const { alice } = await world();
    const early = await createSocialNetwork().addUser('alice'); // a fresh install, signed in first

    expect(await importInto(early.db, await backupOf(alice))).toMatchObject({ ok: true, value: { recovering: true } });
    expect(toHex((await early.db.get('identity', 'alice'))!.publicKey)).toBe(toHex(alice.identity.publicKey));
  });

  it('keeps the longer copy of each wall, whichever side holds it', async () => {
    const { net, alice } = await world();
    const older = await backupOf(alice);
    await alice.service.post('Written after the backup');
    await net.settle();
    const newer = await backupOf(alice);
    const seq = (await alice.db.get('walls', 'alice'))!.seq;

    const current = await snapshot(alice.db);
    expect(await importInto(alice.db, older)).toMatchObject({ ok: true, value: { written: 0 } });
    expect(await snapshot(alice.db)).toEqual(current);

    const restored = await freshDb();
    await importInto(restored, older);
    expect((await restored.get('walls', 'alice'))!.seq).toBe(seq - 1);
    await importInto(restored, newer);
    expect((await restored.get('walls', 'alice'))!.seq).toBe(seq);
    expect(await snapshot(restored, ['recovering'])).toEqual(await snapshot(alice.db, ['recovering']));
  });

  it('keeps the copy here when the backup’s longer copy of a wall does not continue it, and says so', async () => {
    const { net, alice } = await world();
    const older = await backupOf(alice);
    await alice.service.post('Written after the backup');
    await net.settle();
    const newer = await backupOf(alice);
    const restored = await freshDb();
    await importInto(restored, older);
    // The head held here is another entry than the one the backup continues from (a fork).
    const held = (await restored.get('walls', 'alice'))!;
    await restored.put('walls', { ...held, sealHash: new Uint8Array(32).fill(7) });
    const wallOf = async () => {
      const { walls, entries, feed, profiles, mediaUses } = (await snapshot(restored)) as Record<string, unknown[]>;
      return { walls, entries, feed, profiles, mediaUses };
    };
    const before = await wallOf();

    expect(await importInto(restored, newer)).toMatchObject({ ok: true, value: { differing: ['alice'] } });
    expect(await wallOf()).toEqual(before);
  });
});
