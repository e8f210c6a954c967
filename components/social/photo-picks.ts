import { LIMITS } from '@/core/limits';
import { MEDIA_TYPES } from '@/core/media';
import { MAX_PHOTO_INPUT_BYTES } from '@/platform/photos/reencode';

/** What the file input offers: the image types a post may carry. */
export const PHOTO_ACCEPT = MEDIA_TYPES.join(',');

type Picked = Pick<File, 'name' | 'size' | 'type'>;

/**
 * Which of the files just picked join a post that has `already` photos, and a sentence about the
 * first that does not (more than four, larger than 20 MB as picked, not an image). Re-encoding checks
 * the bytes again: a file's type here is only what the browser guessed from its name.
 */
export function acceptPicked<T extends Picked>(already: number, files: readonly T[]): { accepted: T[]; problem: string | null } {
  const accepted: T[] = [];
  let problem: string | null = null;
  for (const file of files) {
    if (!(MEDIA_TYPES as readonly string[]).includes(file.type)) problem ??= `${file.name} is not a photo Peerwall can post. Choose a JPEG, PNG, GIF or WebP image.`;
    else if (file.size > MAX_PHOTO_INPUT_BYTES) problem ??= `${file.name} is larger than 20 MB. Choose a smaller photo.`;
    else if (already + accepted.length >= LIMITS.mediaPerPost) problem ??= `A post can have at most ${LIMITS.mediaPerPost} photos.`;
    else accepted.push(file);
  }
  return { accepted, problem };
}

/**
 * Whether photos can be picked on this page. Firefox closes a popup when a file picker opens (Mozilla bug
 * 1292701), taking the post being written with it: there, photos are picked in the side panel (sidebar).
 */
export const canPickPhotosHere = (browser: 'firefox' | 'chrome', surface: string): boolean => !(browser === 'firefox' && surface === 'popup');
