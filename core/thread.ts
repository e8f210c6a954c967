import { decodeBody } from './body';
import { toHex } from './bytes';
import { shownAt } from './feed';
import type { StoredEntry } from './replica';
import type { CommentView } from './wallView';

/** The conversation under one post: who likes it and its comments, oldest first (docs/protocol.md §5.5). */
export type Thread = { likes: string[]; comments: CommentView[] };

/**
 * The thread of post `postId` from the entries that target it or one of its comments, in any
 * order: the same rules as a whole wall's view (core/wallView.ts), so every reader of the wall
 * sees the same thread. Edits and deletes of the post itself are the feed index's business.
 */
export function buildThread(postId: string, entries: readonly StoredEntry[]): Thread {
  const comments = new Map<string, CommentView>();
  const likes = new Map<string, Set<string>>([[postId, new Set()]]);
  const deleted = new Set<string>();

  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const h = e.header;
    const target = h.target ? toHex(h.target) : null;
    if (!target) continue;
    const decoded = e.body ? decodeBody(h.kind, e.body) : null;
    const body = decoded?.ok ? decoded.value : null;
    if (h.kind === 'comment' && target === postId) {
      const text = body?.kind === 'comment' ? body.body.text : null;
      comments.set(e.id, { id: e.id, author: h.author, seq: e.seq, text, createdAt: h.createdAt, shownAt: shownAt(e), edited: false, likes: [] });
      likes.set(e.id, new Set());
    } else if (h.kind === 'edit') {
      const comment = comments.get(target);
      if (comment && body?.kind === 'edit') {
        comment.text = body.body.text;
        comment.edited = true;
      }
    } else if (h.kind === 'like' || h.kind === 'unlike') {
      const set = likes.get(target);
      if (h.kind === 'like') set?.add(h.author);
      else set?.delete(h.author);
    } else if (h.kind === 'delete') {
      deleted.add(target);
    }
  }
  const sorted = (id: string) => [...(likes.get(id) ?? [])].sort();
  return {
    likes: sorted(postId),
    comments: [...comments.values()].filter((c) => !deleted.has(c.id)).map((c) => ({ ...c, likes: sorted(c.id) })),
  };
}
