import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import { mergeBackup } from '@/platform/backup/merge-backup';
import { readCheckedBackup } from '@/platform/backup/read-checked-backup';
import { openContentDb, type ContentDb } from '@/platform/content-db';
import type { PeerAccess } from '@/platform/ports';
import { createSocialHost } from '@/platform/social/social-host';
import { createFakeTime } from './support/fake-time';
import { PASSPHRASE, backupOf, world } from './support/backup-world';

const access: PeerAccess = {
  isOnline: () => false,
  sendToBroker: () => undefined,
  connect: () => {
    throw new Error('offline');
  },
  allowlistChanged: () => undefined,
  lookupHandle: async () => undefined,
};

/** A peer host's social layer with one fresh database per handle, as a new browser profile has. */
function freshHost() {
  const time = createFakeTime();
  const dbs = new Map<string, string>();
  const nameOf = (handle: string) => dbs.get(handle) ?? dbs.set(handle, `import-${handle}-${Math.random()}`).get(handle)!;
  const social = createSocialHost({
    openDb: (handle) => openContentDb(nameOf(handle)),
    now: time.now,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    timers: time.timers,
    onChange: () => undefined,
    notify: () => undefined,
  });
  return { social, open: (handle: string): Promise<ContentDb> => openContentDb(nameOf(handle)) };
}

describe('importing a backup through the peer host', () => {
  it('gives a fresh install the old identity before its first sign-in, and writing waits for a friend', async () => {
    const { alice } = await world();
    const file = await backupOf(alice);
    const { social, open } = freshHost();

    expect(await social.importBackup(file, PASSPHRASE)).toMatchObject({ handle: 'alice', recovering: true });
    await social.begin('alice', access);

    const state = await social.current().state();
    expect(state.recovering).toBe(true);
    expect(state.friends.map((f) => f.handle)).toEqual(['bob']);
    await expect(social.current().post('Too early')).rejects.toThrow('being restored from your friends');
    const feed = await social.current().feed(50, 'alice');
    expect(feed.map((p) => p.text)).toContain('Up on the hill');
    const db = await open('alice');
    expect(toHex((await db.get('identity', 'alice'))!.publicKey)).toBe(toHex(alice.identity.publicKey));
    db.close();
  });

  it('refuses a backup of another handle while signed in, and keeps the session', async () => {
    const { alice } = await world();
    const { social } = freshHost();
    await social.begin('carol', access);

    await expect(social.importBackup(await backupOf(alice), PASSPHRASE)).rejects.toThrow('backup of @alice, but you are signed in as @carol');
    expect((await social.current().state()).friends).toEqual([]);
  });

  it('merges a backup of the signed-in handle and starts the account again over what storage holds', async () => {
    const { alice } = await world();
    const file = await backupOf(alice);
    const { social } = freshHost();
    await social.importBackup(file, PASSPHRASE);
    await social.begin('alice', access);

    expect(await social.importBackup(file, PASSPHRASE)).toEqual({ handle: 'alice', written: 0, recovering: false, differing: [] });
    expect((await social.current().state()).friends.map((f) => f.handle)).toEqual(['bob']);
  });

  it('says the passphrase is wrong and writes nothing', async () => {
    const { alice } = await world();
    const { social, open } = freshHost();

    await expect(social.importBackup(await backupOf(alice), 'wrong passphrase')).rejects.toThrow('Wrong Backup passphrase');
    const db = await open('alice');
    expect(await db.count('identity')).toBe(0);
    db.close();
  });
});

describe('after a restore', () => {
  it('leaves recovery when a friend’s copy arrives; friends see the same key and the next post continues the wall', async () => {
    const { net, alice, bob } = await world();
    const file = await backupOf(alice);
    await alice.service.post('Written after the backup'); // bob holds it; the backup does not
    await net.settle();
    const head = (await alice.db.get('walls', 'alice'))!.seq;
    await net.goOffline(alice);
    alice.service.stop();

    const restored = await openContentDb(`restored-${Math.random()}`);
    const checked = readCheckedBackup(file, PASSPHRASE);
    if (!checked.ok) throw new Error(checked.reason);
    expect((await mergeBackup(restored, checked.value)).recovering).toBe(true);
    const again = await net.addUser('alice', restored);
    expect((await again.service.state()).recovering).toBe(true);
    await net.goOnline(again);
    await net.settle();

    expect((await again.service.state()).recovering).toBe(false);
    expect((await restored.get('walls', 'alice'))!.seq).toBe(head);
    await again.service.post('Back again');
    await net.settle();
    expect((await bob.db.get('walls', 'alice'))!.seq).toBe(head + 1);
    expect((await bob.service.feed(50, 'alice')).map((p) => p.text)).toContain('Back again');
    expect((await bob.service.state()).problems).toEqual([]);
  });
});
