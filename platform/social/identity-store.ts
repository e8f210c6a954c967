import { createIdentity, type Identity, type RandomBytes } from '@/core/identity';
import type { ContentDb } from '../content-db';

/**
 * `meta` key set when a sign-in to an existing account found no key for it in this browser (it was lost
 * without a backup): only then is Recover from friends offered (docs/protocol.md §8). Device-only.
 */
export const RECOVERY_OFFERED_KEY = 'recoveryOffered';

/**
 * This account's identity key: generated on first sign-in and kept in the handle's content
 * database. A later sign-in on the same browser reuses it, so friends' pins stay valid. With
 * `signedIn` (a sign-in to an existing account, not the one after creating it) a key made here
 * means the old one is lost, and Recover from friends is offered, in the same transaction.
 */
export async function loadOrCreateIdentity(
  db: ContentDb,
  handle: string,
  randomBytes: RandomBytes,
  now: () => number,
  options: { signedIn?: boolean } = {},
): Promise<Identity> {
  const tx = db.transaction(['identity', 'meta'], 'readwrite');
  const stored = await tx.objectStore('identity').get(handle);
  if (stored) {
    await tx.done;
    return { handle, secretKey: stored.secretKey, publicKey: stored.publicKey, rotations: stored.rotations };
  }
  const identity = createIdentity(handle, randomBytes);
  await tx.objectStore('identity').add({ ...identity, createdAt: now() });
  if (options.signedIn) await tx.objectStore('meta').put({ key: RECOVERY_OFFERED_KEY, value: true });
  await tx.done;
  return identity;
}

/** Keeps the identity after its key history grew (a recovery from friends, docs/protocol.md §8). */
export async function saveIdentity(db: ContentDb, identity: Identity): Promise<void> {
  const tx = db.transaction('identity', 'readwrite');
  const stored = await tx.store.get(identity.handle);
  const { handle, secretKey, publicKey, rotations } = identity;
  await tx.store.put({ handle, secretKey, publicKey, rotations, createdAt: stored?.createdAt ?? 0 });
  await tx.done;
}

export const cryptoRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));
