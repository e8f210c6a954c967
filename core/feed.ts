import type { EntryBody } from './body';
import { toHex } from './bytes';
import type { StoredEntry } from './replica';

/** One post or wall post as a merged feed lists it (docs/protocol.md §5.5). */
export type FeedRow = {
  id: string;
  wall: string;
  author: string;
  seq: number;
  /** Null while the body has not arrived. */
  text: string | null;
  /** min(createdAt, receivedAt): a future-dated entry shows when it arrived. */
  shownAt: number;
  edited: boolean;
  /** The friend who relayed it, when it did not come from the wall's owner. */
  via?: string;
  /** Its photos (version 4), by the 64-hex names of their files; absent when it has none. */
  photos?: FeedPhoto[];
};

/** A photo as the feed lists it: its files by name (the hex of their SHA-256) and its alt text. */
export type FeedPhoto = { full: string; thumbnail: string; alt: string };

/** The photos a post, wall post or edit body carries, as the feed lists them. */
export function feedPhotos(body: EntryBody | null): FeedPhoto[] {
  if (!body || (body.kind !== 'post' && body.kind !== 'wallPost' && body.kind !== 'edit')) return [];
  return (body.body.photos ?? []).map((p) => ({ full: toHex(p.full.sha256), thumbnail: toHex(p.thumbnail.sha256), alt: p.alt }));
}

/**
 * How one stored change moves a feed index. `edit` and `fill` apply only to a row the feed
 * holds (an edit of a comment or a late body of an edit changes no row); `profile` moves the
 * names the feed shows beside handles.
 */
export type FeedChange =
  | { op: 'put'; row: FeedRow }
  /** An edit replaces the text and the photos (none when `photos` is absent), as `wallView` reads it. */
  | { op: 'edit'; id: string; text: string; photos?: FeedPhoto[] }
  | { op: 'fill'; id: string; text: string; photos?: FeedPhoto[] }
  | { op: 'remove'; id: string }
  /** A wall's owner published a display name, an "about" and maybe a picture (the latest `profile` entry wins). */
  | { op: 'profile'; wall: string; seq: number; displayName: string; about: string; picture?: FeedPhoto };

/** When an entry shows: its claimed time, but never later than when it arrived (§5.5). */
export function shownAt(entry: Pick<StoredEntry, 'header' | 'receivedAt'>): number {
  return Math.min(entry.header.createdAt, entry.receivedAt);
}

/** The text a post, wall post or edit body carries, or null for every other body. */
export function bodyText(body: EntryBody | null): string | null {
  if (!body) return null;
  return body.kind === 'post' || body.kind === 'wallPost' || body.kind === 'edit' ? body.body.text : null;
}

/** The feed row of a post or wall post; `body` is its decoded body, null while it has not arrived. */
export function feedRow(entry: StoredEntry, body: EntryBody | null): FeedRow {
  const photos = feedPhotos(body);
  return {
    id: entry.id,
    wall: entry.header.wall,
    author: entry.header.author,
    seq: entry.seq,
    text: bodyText(body),
    shownAt: shownAt(entry),
    edited: false,
    ...(entry.via ? { via: entry.via } : {}),
    ...(photos.length ? { photos } : {}),
  };
}

/** The feed changes of one newly appended entry, from its decoded body (null when absent). */
export function feedChangesOfAppend(entry: StoredEntry, body: EntryBody | null): FeedChange[] {
  const kind = entry.header.kind;
  const target = entry.header.target ? toHex(entry.header.target) : null;
  if (kind === 'post' || kind === 'wallPost') return [{ op: 'put', row: feedRow(entry, entry.tombstoned ? null : body) }];
  if (kind === 'edit' && target) {
    const text = bodyText(body);
    const photos = feedPhotos(body);
    return text === null ? [] : [{ op: 'edit', id: target, text, ...(photos.length ? { photos } : {}) }];
  }
  if (kind === 'delete' && target) return [{ op: 'remove', id: target }];
  if (kind === 'profile' && body?.kind === 'profile') {
    const { displayName, about, picture } = body.body;
    const shown = picture ? { picture: { full: toHex(picture.full.sha256), thumbnail: toHex(picture.thumbnail.sha256), alt: picture.alt } } : {};
    return [{ op: 'profile', wall: entry.header.wall, seq: entry.seq, displayName, about, ...shown }];
  }
  return [];
}
