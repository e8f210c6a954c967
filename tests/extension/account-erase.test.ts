import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { contentDbName, openContentDb } from '@/platform/content-db';
import { createPeerHost } from '@/platform/peer-host/peer-host';
import { createSocialHost } from '@/platform/social/social-host';
import { openStagedPhotos, stagePhotoFile, STAGED_DB_NAME } from '@/platform/staged-photos';
import { stageBackupFile, STAGED_BACKUP_DB_NAME } from '@/platform/staged-backup';
import { recordBackup } from '@/platform/backup/backup-times';
import { eraseStoredFor, loadSession, saveSession, settingsItem, unseenItem } from '@/platform/storage-items';
import { createFakeBroker } from './support/fake-broker';
import { createPeerFactory } from './support/fake-peer';
import { createFakeTime, flush } from './support/fake-time';
import { hostDeps } from './support/host-deps';

const PASSWORD = 'correct horse battery';
const BROKER = 'https://broker.example:8443';

const databases = async (): Promise<string[]> => (await indexedDB.databases()).map((d) => d.name!).sort();

/** Alice signed in on a real peer host over IndexedDB and the extension's storage, with a post, a staged photo and settings. */
async function aliceWithData() {
  const time = createFakeTime();
  const broker = createFakeBroker({ now: time.now });
  broker.accounts.set('alice', PASSWORD);
  const factory = createPeerFactory();
  const social = createSocialHost({
    now: time.now,
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    timers: time.timers,
    onChange: () => undefined,
    notify: () => undefined,
  });
  const host = createPeerHost(
    hostDeps(time, broker, {
      createPeer: factory.create,
      sessions: { load: loadSession, save: saveSession, erase: eraseStoredFor },
      social,
    }),
  );
  await host.start();
  await host.signIn({ handle: 'alice', password: PASSWORD, brokerUrl: BROKER });
  await flush();
  factory.last().open();
  await social.current().post('something worth keeping');
  const staged = await openStagedPhotos();
  await stagePhotoFile(staged, new Uint8Array([1, 2, 3]), 'image/jpeg', time.now());
  staged.close();
  await settingsItem.setValue({ brokerUrl: BROKER, notify: { posts: false, wallPosts: true, comments: true, replies: true, likes: true, requests: true } });
  await recordBackup('alice', time.now());
  await recordBackup('carol', time.now() - 1);
  await stageBackupFile(new Uint8Array([4, 5, 6]), time.now());
  await unseenItem.setValue({ count: 3, focusPostId: null, focusWall: null, lookedAt: { feed: 1, 'wall:alice': 2, 'wall:carol': 3 } });
  return { host, time };
}

describe('deleting an account with “Erase this browser’s Peerwall data”', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    for (const name of await databases()) indexedDB.deleteDatabase(name);
  });

  it('leaves no database and nothing in storage for the account; another account’s data stays', async () => {
    const carol = await openContentDb(contentDbName('carol'));
    carol.close();
    const { host } = await aliceWithData();
    expect(await databases()).toEqual([contentDbName('alice'), contentDbName('carol'), STAGED_BACKUP_DB_NAME, STAGED_DB_NAME].sort());

    const state = await host.deleteAccount(PASSWORD, true);

    expect(state).toMatchObject({ handle: null, notice: expect.stringContaining('erased') });
    expect(await databases()).toEqual([contentDbName('carol')]);
    const stored = await fakeBrowser.storage.local.get(null);
    expect(Object.keys(stored).filter((k) => !k.endsWith('$')).sort()).toEqual(['backupTimes', 'unseen']); // WXT keeps versions under `key$`
    expect(stored.backupTimes).toEqual({ carol: expect.any(Number) });
    expect(stored.unseen).toEqual({ count: 0, focusPostId: null, focusWall: null, lookedAt: { 'wall:carol': 3 } });
    expect(JSON.stringify(stored)).not.toContain('alice');
  });

  it('keeps everything in this browser when the box is unticked', async () => {
    const { host } = await aliceWithData();

    await host.deleteAccount(PASSWORD, false);

    expect(await databases()).toEqual([contentDbName('alice'), STAGED_BACKUP_DB_NAME, STAGED_DB_NAME].sort());
    const db = await openContentDb(contentDbName('alice'));
    expect(await db.count('entries')).toBe(2); // the post and the goodbye
    db.close();
    expect((await settingsItem.getValue()).brokerUrl).toBe(BROKER);
  });
});
