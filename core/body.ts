import { ByteReader, ByteWriter, codePointLength, decodeWith } from './bytes';
import type { EntryKind } from './entryKind';
import { LIMITS } from './limits';
import { type MediaRef, readMediaRef, writeMediaRef } from './media';
import { MEDIA_VERSION } from './messages';
import { type Photo, readPhoto, writePhoto } from './photo';
import { type Result } from './result';
import { type KeyStatement, readKeyStatement, writeKeyStatement } from './rotation';

/**
 * The decoded body of each entry kind (docs/protocol.md §5.3). Likes, unlikes and deletes have an empty body.
 * A post with `photos` is written in format 2 (version 4, with alt text and thumbnails) and then has no
 * `media`; format 1 carries bare `media` references.
 */
export type PostBody = { text: string; media: MediaRef[]; photos?: Photo[] };
export type CommentBody = { text: string };
/**
 * A profile with a `picture` is written in format 2 (version 4); without one in format 1, so a profile
 * has one encoding and removing a picture reads on every version.
 */
export type ProfileBody = { displayName: string; about: string; picture?: Photo };
export type GoodbyeBody = { text: string };

export type EntryBody =
  | { kind: 'post' | 'wallPost' | 'edit'; body: PostBody }
  | { kind: 'comment'; body: CommentBody }
  | { kind: 'like' | 'unlike' | 'delete'; body: null }
  | { kind: 'profile'; body: ProfileBody }
  | { kind: 'rotate'; body: KeyStatement }
  | { kind: 'goodbye'; body: GoodbyeBody };

function checkText(text: string, maxChars: number, what: string, required: boolean): void {
  if (codePointLength(text) > maxChars) throw new RangeError(`${what} is longer than ${maxChars} characters`);
  if (required && text.trim() === '') throw new RangeError(`${what} is empty`);
}

function readText(r: ByteReader, maxChars: number, what: string, required: boolean): string {
  const text = r.text(maxChars * 4, what);
  checkText(text, maxChars, what, required);
  return text;
}

/** Encodes a body; throws RangeError when it breaks a limit (callers turn that into a message). */
export function encodeBody(b: EntryBody): Uint8Array {
  const w = new ByteWriter();
  switch (b.kind) {
    case 'post':
    case 'wallPost':
    case 'edit': {
      const photos = b.body.photos ?? [];
      checkText(b.body.text, LIMITS.postChars, 'Post text', b.body.media.length === 0 && photos.length === 0);
      if (b.body.media.length + photos.length > LIMITS.mediaPerPost) throw new RangeError(`at most ${LIMITS.mediaPerPost} images`);
      if (photos.length && b.body.media.length) throw new RangeError('a post carries photos or bare media references, not both');
      if (photos.length) w.u8(PHOTO_FORMAT).text(b.body.text).list(photos, writePhoto);
      else w.u8(1).text(b.body.text).list(b.body.media, writeMediaRef);
      break;
    }
    case 'comment':
      checkText(b.body.text, LIMITS.commentChars, 'Comment', true);
      w.u8(1).text(b.body.text);
      break;
    case 'like':
    case 'unlike':
    case 'delete':
      return new Uint8Array(0);
    case 'profile':
      checkText(b.body.displayName, LIMITS.displayNameChars, 'Display name', false);
      checkText(b.body.about, LIMITS.aboutChars, 'About', false);
      if (b.body.picture) {
        w.u8(PHOTO_FORMAT).text(b.body.displayName).text(b.body.about);
        writePhoto(w, b.body.picture);
      } else w.u8(1).text(b.body.displayName).text(b.body.about);
      break;
    case 'rotate':
      writeKeyStatement(w, b.body);
      break;
    case 'goodbye':
      checkText(b.body.text, LIMITS.goodbyeChars, 'Goodbye note', false);
      w.u8(1).text(b.body.text);
      break;
  }
  const out = w.finish();
  if (out.length > LIMITS.bodyBytes) throw new RangeError('entry body is too large');
  return out;
}

/** The post and profile body format with photos (alt text and thumbnails); peers before version 4 cannot read it. */
const PHOTO_FORMAT = 2;

/**
 * The lowest protocol version whose peers read this body (docs/protocol.md §7.6): a post, wall post,
 * edit or profile in the photo format needs version 4, and a session below it carries the entry without
 * its body.
 */
export function bodyVersion(kind: EntryKind, body: Uint8Array | null): number {
  const withPhotos = kind === 'post' || kind === 'wallPost' || kind === 'edit' || kind === 'profile';
  return withPhotos && body?.[0] === PHOTO_FORMAT ? MEDIA_VERSION : 1;
}

/** The photos a body carries: a post's, wall post's or edit's, or a profile's picture. */
function bodyPhotos(body: EntryBody | null): Photo[] {
  if (body?.kind === 'profile') return body.body.picture ? [body.body.picture] : [];
  if (!body || (body.kind !== 'post' && body.kind !== 'wallPost' && body.kind !== 'edit')) return [];
  return body.body.photos ?? [];
}

/**
 * Every photo file a body refers to (a post's photos, a profile's picture): thumbnails first (they travel
 * with the entry), then the full images.
 */
export function photoFiles(body: EntryBody | null): { ref: MediaRef; thumbnail: boolean }[] {
  const photos = bodyPhotos(body);
  return [...photos.map((p) => ({ ref: p.thumbnail, thumbnail: true })), ...photos.map((p) => ({ ref: p.full, thumbnail: false }))];
}

function readFormat(r: ByteReader): void {
  const f = r.u8('body format');
  if (f !== 1) throw new RangeError(`unknown body format ${f}`);
}

function readBody(kind: EntryKind, r: ByteReader): EntryBody {
  switch (kind) {
    case 'post':
    case 'wallPost':
    case 'edit': {
      const format = r.u8('body format');
      if (format !== 1 && format !== PHOTO_FORMAT) throw new RangeError(`unknown body format ${format}`);
      const text = r.text(LIMITS.postChars * 4, 'post text');
      if (format === PHOTO_FORMAT) {
        const photos = r.list(LIMITS.mediaPerPost, readPhoto, 'photos');
        if (photos.length === 0) throw new RangeError('a photo post has no photos');
        checkText(text, LIMITS.postChars, 'post text', false);
        return { kind, body: { text, media: [], photos } };
      }
      const media = r.list(LIMITS.mediaPerPost, readMediaRef, 'media');
      checkText(text, LIMITS.postChars, 'post text', media.length === 0);
      return { kind, body: { text, media } };
    }
    case 'comment':
      readFormat(r);
      return { kind, body: { text: readText(r, LIMITS.commentChars, 'comment', true) } };
    case 'like':
    case 'unlike':
    case 'delete':
      return { kind, body: null };
    case 'profile': {
      const format = r.u8('body format');
      if (format !== 1 && format !== PHOTO_FORMAT) throw new RangeError(`unknown body format ${format}`);
      const displayName = readText(r, LIMITS.displayNameChars, 'display name', false);
      const about = readText(r, LIMITS.aboutChars, 'about', false);
      return { kind, body: format === PHOTO_FORMAT ? { displayName, about, picture: readPhoto(r) } : { displayName, about } };
    }
    case 'rotate':
      return { kind, body: readKeyStatement(r) };
    case 'goodbye':
      readFormat(r);
      return { kind, body: { text: readText(r, LIMITS.goodbyeChars, 'goodbye note', false) } };
  }
}

export function decodeBody(kind: EntryKind, bytes: unknown): Result<EntryBody> {
  if (bytes instanceof Uint8Array && bytes.length > LIMITS.bodyBytes) return { ok: false, reason: 'entry body is too large' };
  return decodeWith(bytes, (r) => readBody(kind, r), `${kind} body`);
}
