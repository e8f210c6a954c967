import { readPhotoFile } from './media-files';

/** Object URLs of profile-picture thumbnails this page has read, by file name: shared by every avatar. */
const urls = new Map<string, Promise<string | null>>();

/**
 * A URL for the thumbnail `name` of `handle`'s content database, or null while it has not arrived. A
 * feed shows the same few faces many times, so each file is read once per page and its URL kept (the
 * page is short-lived and the thumbnails are small); a file not there yet is read again next time.
 */
export function avatarUrl(handle: string, name: string, read = readPhotoFile): Promise<string | null> {
  const key = `${handle}/${name}`;
  const known = urls.get(key);
  if (known) return known;
  const url = read(handle, name).then((blob) => (blob ? URL.createObjectURL(blob) : null));
  urls.set(key, url);
  void url.then((u) => u ?? urls.delete(key), () => urls.delete(key));
  return url;
}
