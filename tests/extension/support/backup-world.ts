import { concatBytes } from '@/core/bytes';
import { exportBackup } from '@/platform/backup/export-backup';
import { openStagedPhotos, stagePhotoFile } from '@/platform/staged-photos';
import { createSocialNetwork, type User } from './social-network';

export const PASSPHRASE = 'a long backup passphrase';

/** The backup file of `user`'s content database, at a low scrypt cost so tests stay quick. */
export async function backupOf(user: User): Promise<Uint8Array> {
  const parts = await exportBackup(user.db, user.handle, PASSPHRASE, { randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), now: Date.now, logN: 10 });
  if (!parts.ok) throw new Error(parts.reason);
  return concatBytes(...parts.value);
}

/**
 * alice and bob are friends; alice posts with a photo, bob writes on her wall and comments; bob's own wall has a
 * post. alice has a profile, a request waiting for carol (offline) and a blocked handle.
 */
export async function world() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  for (const u of [alice, bob]) await net.goOnline(u);
  await net.befriend(alice, bob);
  const staged = await openStagedPhotos();
  const bytes = new Uint8Array(150_000).map((_, i) => (i * 31) & 0xff);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  const thumb = bytes.slice(0, 3_000);
  const photo = { full: await stagePhotoFile(staged, bytes, 'image/jpeg', Date.now()), thumbnail: await stagePhotoFile(staged, thumb, 'image/jpeg', Date.now()), alt: 'A kite' };
  const post = await alice.service.post('Up on the hill', [photo]);
  await alice.service.post('Second post');
  await bob.service.post('Hello from bob');
  await net.settle();
  await bob.service.comment('alice', post.id, 'Nice kite');
  await bob.service.writeOnWall('alice', 'Happy birthday');
  await alice.service.setProfile('Alice', 'Flies kites');
  await net.addUser('carol'); // offline: alice's request waits for her
  await alice.service.addFriend('carol');
  await alice.service.block('mallory');
  await net.settle();
  return { net, alice, bob };
}
