import type { EntryBody } from './body';
import { photoFiles } from './body';
import type { MediaRef } from './media';
import type { MediaStore } from './mediaStore';
import type { Replica, StoredEntry } from './replica';

/**
 * A wall's profile picture as its files are kept (docs/protocol.md §7.6): the newest `profile` entry
 * refers to its picture's files; when it replaces an older profile, the older one's references go, so a
 * picture nothing else refers to is freed. The new references are recorded before the old ones go, so a
 * profile that keeps its picture (a new display name) keeps the files too. Returns the picture's files,
 * thumbnail first, for the caller to fetch or write.
 */
export async function keepProfilePicture(
  d: { store: MediaStore; replica: Pick<Replica, 'entryById'> },
  wall: string,
  profile: Pick<StoredEntry, 'id' | 'seq'>,
  body: EntryBody | null,
): Promise<{ ref: MediaRef; thumbnail: boolean }[]> {
  const files = body?.kind === 'profile' ? photoFiles(body) : [];
  for (const { ref, thumbnail } of files) await d.store.addReference(ref, { wall, entry: profile.id, thumbnail });
  const older: string[] = [];
  for (const id of await d.store.entriesReferencing(wall)) {
    if (id === profile.id) continue;
    const entry = await d.replica.entryById(wall, id);
    if (entry?.header.kind === 'profile' && entry.seq < profile.seq) older.push(id);
  }
  if (older.length) await d.store.dropReferences(wall, older);
  return files;
}
