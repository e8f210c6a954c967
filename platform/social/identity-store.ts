import { createIdentity, type Identity, type RandomBytes } from '@/core/identity';
import type { ContentDb } from '../content-db';

/**
 * This account's identity key: generated on first sign-in and kept in the handle's content
 * database. A later sign-in on the same browser reuses it, so friends' pins stay valid.
 */
export async function loadOrCreateIdentity(
  db: ContentDb,
  handle: string,
  randomBytes: RandomBytes,
  now: () => number,
): Promise<Identity> {
  const tx = db.transaction('identity', 'readwrite');
  const stored = await tx.store.get(handle);
  if (stored) {
    await tx.done;
    return { handle, secretKey: stored.secretKey, publicKey: stored.publicKey, rotations: stored.rotations };
  }
  const identity = createIdentity(handle, randomBytes);
  await tx.store.add({ ...identity, createdAt: now() });
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
