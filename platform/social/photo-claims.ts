import type { MediaStore } from '@/core/mediaStore';
import { toHex } from '@/core/bytes';
import { dropStagedFiles, readStagedFile, STAGED_MAX_AGE_MS, type StagedDb } from '../staged-photos';
import { claimStagedPhotos, type ClaimedPhotos, type PhotoRequest } from './staged-photo-check';

export interface PhotoClaimDeps {
  /** Photo files: an author's own are kept here, complete, as their post is written. */
  media: Pick<MediaStore, 'addReference' | 'putFile' | 'wanted'>;
  /** Where pages stage the photo files of a post they are about to send (../staged-photos.ts). */
  openStaged(): Promise<StagedDb>;
  now(): number;
}

/**
 * The photos of a post an author writes, on its own wall or a friend's (docs/protocol.md §7.6): checked
 * from the staging area before the entry is written, then kept complete under the entry that refers to
 * them — so friends can fetch them from their author — and dropped from the staging area.
 */
export function createPhotoClaims(deps: PhotoClaimDeps) {
  let staged: Promise<StagedDb> | null = null;
  const stagedDb = (): Promise<StagedDb> => (staged ??= deps.openStaged());

  return {
    /** Checks the staged files (throws a sentence for a person); null when the post has no photos. */
    async claim(photos: readonly PhotoRequest[]): Promise<ClaimedPhotos | null> {
      return photos.length ? claimStagedPhotos(await stagedDb(), photos) : null;
    },
    /** Keeps the claimed files as entry `entry` of `wall` refers to them, and clears them from staging. */
    async keep(claimed: ClaimedPhotos | null, wall: string, entry: string): Promise<void> {
      if (!claimed) return;
      for (const file of claimed.files) {
        await deps.media.addReference(file.ref, { wall, entry, thumbnail: file.thumbnail });
        await deps.media.putFile(file.ref, file.bytes);
      }
      await dropStagedFiles(await stagedDb(), claimed.names, deps.now() - STAGED_MAX_AGE_MS);
    },
    /**
     * On start: a post written just before the browser stopped may refer to photos not kept yet (the files
     * follow the entry). Each file still wanted that the staging area holds is kept from there.
     */
    async resume(): Promise<number> {
      const wanted = await deps.media.wanted();
      if (wanted.length === 0) return 0;
      const db = await stagedDb();
      const names: string[] = [];
      for (const { ref } of wanted) {
        const name = toHex(ref.sha256);
        const staged = await readStagedFile(db, name);
        if (!(staged?.bytes instanceof Uint8Array)) continue;
        await deps.media.putFile(ref, staged.bytes); // checks the hash and size itself
        names.push(name);
      }
      if (names.length) await dropStagedFiles(db, names, deps.now() - STAGED_MAX_AGE_MS);
      return names.length;
    },
  };
}

export type PhotoClaims = ReturnType<typeof createPhotoClaims>;
