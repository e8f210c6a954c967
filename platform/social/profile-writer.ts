import { writeOwnEntry } from '@/core/author';
import { decodeBody, type ProfileBody } from '@/core/body';
import type { MediaStore } from '@/core/mediaStore';
import type { Photo } from '@/core/photo';
import { keepProfilePicture } from '@/core/profileMedia';
import { cleanAbout, cleanDisplayName } from '@/core/profileText';
import { PeerwallError } from '../errors';
import { dropStagedFiles, STAGED_MAX_AGE_MS, type StagedDb } from '../staged-photos';
import { type OwnWriterDeps, saved } from './own-wall';
import { claimStagedPhotos, type PhotoRequest } from './staged-photo-check';

export interface ProfileWriterDeps extends OwnWriterDeps {
  /** Photo files: the picture's are kept here, complete; the old picture's go when nothing else refers to them. */
  media: MediaStore;
  /** Where the page staged the picture's files (../staged-photos.ts). */
  openStaged(): Promise<StagedDb>;
}

/**
 * What a profile's picture becomes: absent keeps the one published, null removes it, a request names
 * the staged files of a new one.
 */
export type PictureChange = PhotoRequest | null | undefined;

/**
 * Publishes one's profile (docs/protocol.md §5.3): display name, "about" and picture. A new picture's
 * files are checked against their names before anything is written; once the profile is written they are
 * kept complete, so friends can fetch them, and the previous picture is freed unless the new profile
 * keeps it (core/profileMedia.ts).
 */
export function createProfileWriter(deps: ProfileWriterDeps) {
  const { identity, replica } = deps;
  const me = identity.handle;
  const writeDeps = { randomBytes: deps.randomBytes, now: deps.now, verifier: deps.verifier };
  let staged: Promise<StagedDb> | null = null;
  const stagedDb = (): Promise<StagedDb> => (staged ??= deps.openStaged());

  /** The picture of the profile published last, read from its entry (the profile record names files only). */
  async function currentPicture(): Promise<Photo | undefined> {
    const record = (await deps.store.profiles()).find((p) => p.wall === me);
    if (!record?.picture) return undefined;
    const [entry] = await replica.entriesAfter(me, record.seq - 1, 1);
    const body = entry?.body && entry.header.kind === 'profile' ? decodeBody('profile', entry.body) : null;
    return body?.ok && body.value.kind === 'profile' ? body.value.body.picture : undefined;
  }

  return {
    async setProfile(displayName: string, about: string, picture?: PictureChange): Promise<void> {
      const claimed = picture ? await claimPicture(await stagedDb(), picture) : null;
      const photo = claimed ? claimed.photos[0] : picture === undefined ? await currentPicture() : undefined;
      const body: ProfileBody = { displayName: cleanDisplayName(displayName), about: cleanAbout(about), ...(photo ? { picture: photo } : {}) };
      const written = await saved(() => writeOwnEntry(replica, identity, { kind: 'profile', body }, writeDeps), 'profile');
      await keepProfilePicture({ store: deps.media, replica }, me, written, { kind: 'profile', body });
      for (const file of claimed?.files ?? []) await deps.media.putFile(file.ref, file.bytes);
      if (claimed) await dropStagedFiles(await stagedDb(), claimed.names, deps.now() - STAGED_MAX_AGE_MS);
      deps.spread();
    },
  };
}

/** The staged files of a new picture, checked as a post's photo is; the sentences speak of the picture. */
async function claimPicture(db: StagedDb, picture: PhotoRequest) {
  try {
    return await claimStagedPhotos(db, [picture]);
  } catch (error) {
    if (!(error instanceof PeerwallError)) throw error;
    throw new PeerwallError(error.code, error.message.replace(/^Photo 1\b/, 'The profile picture').replace(/photo 1\b/, 'the profile picture'));
  }
}

export type ProfileWriter = ReturnType<typeof createProfileWriter>;
