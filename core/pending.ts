import { decodeBody } from './body';
import { toHex } from './bytes';
import { type FeedPhoto, feedPhotos } from './feed';
import type { OutboxItem } from './replica';

/** One's own wall post or comment queued for a friend's wall, as it will read once sealed. */
export type PendingItem = { id: string; author: string; text: string; createdAt: number; target: string | null; photos?: FeedPhoto[] };

/**
 * What one's own queued entries for one friend's wall will change once its owner seals them, so a
 * person sees what they did at once (marked pending). Applied in queue order: the owner seals them
 * in that order, so the last like or unlike and the last edit win.
 */
export type PendingChanges = {
  wallPosts: PendingItem[];
  comments: PendingItem[];
  /** Target id → liked (true) or unliked (false). */
  likes: Map<string, boolean>;
  /** Target id → the edited text. */
  edits: Map<string, string>;
  deletes: Set<string>;
};

export function pendingChanges(items: readonly OutboxItem[]): PendingChanges {
  const changes: PendingChanges = { wallPosts: [], comments: [], likes: new Map(), edits: new Map(), deletes: new Set() };
  for (const item of items) {
    const h = item.entry.header;
    const target = h.target ? toHex(h.target) : null;
    const decoded = item.entry.body ? decodeBody(h.kind, item.entry.body) : null;
    const body = decoded?.ok ? decoded.value : null;
    const base = { id: item.id, author: h.author, createdAt: h.createdAt, target };
    if (body?.kind === 'wallPost') changes.wallPosts.push({ ...base, text: body.body.text, photos: feedPhotos(body) });
    else if (body?.kind === 'comment' && target) changes.comments.push({ ...base, text: body.body.text });
    else if (body?.kind === 'edit' && target) changes.edits.set(target, body.body.text);
    else if ((h.kind === 'like' || h.kind === 'unlike') && target) changes.likes.set(target, h.kind === 'like');
    else if (h.kind === 'delete' && target) changes.deletes.add(target);
  }
  return changes;
}
