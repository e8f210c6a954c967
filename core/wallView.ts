import { decodeBody, type ProfileBody } from './body';
import { toHex } from './bytes';
import { shownAt } from './feed';
import type { MediaRef } from './media';
import type { Photo } from './photo';
import type { StoredEntry } from './replica';

export type CommentView = {
  id: string;
  author: string;
  seq: number;
  text: string | null;
  createdAt: number;
  /** When to show it: the claimed time, but never later than when it arrived (§5.5). */
  shownAt: number;
  edited: boolean;
  likes: string[];
};

export type PostView = Omit<CommentView, 'text'> & {
  kind: 'post' | 'wallPost';
  /** Null when the body has not arrived (it is fetched with the next sync). */
  text: string | null;
  media: MediaRef[];
  /** Photos with thumbnails and alt text (version 4); their files are fetched by hash (§7.6). */
  photos: Photo[];
  comments: CommentView[];
};

export type WallView = { wall: string; profile: ProfileBody | null; posts: PostView[]; farewell: string | null };

/**
 * What a wall shows, derived from its log alone (docs/protocol.md §5.5): edits apply in
 * sequence order (the latest wins), likes are a set per author, deleted entries disappear.
 * Posts are newest first, comments oldest first.
 */
export function buildWallView(wall: string, log: readonly StoredEntry[]): WallView {
  const items = new Map<string, PostView | CommentView>();
  const posts: PostView[] = [];
  const postById = new Map<string, PostView>();
  const likes = new Map<string, Set<string>>();
  let profile: ProfileBody | null = null;
  let farewell: string | null = null;

  for (const e of [...log].sort((a, b) => a.seq - b.seq)) {
    const h = e.header;
    const body = e.body ? decodeBody(h.kind, e.body) : null;
    const content = body?.ok ? body.value : null;
    const target = h.target ? toHex(h.target) : null;
    const base = {
      id: e.id,
      author: h.author,
      seq: e.seq,
      createdAt: h.createdAt,
      shownAt: shownAt(e),
      edited: false,
      likes: [],
    };
    switch (h.kind) {
      case 'post':
      case 'wallPost': {
        const post: PostView = { ...base, kind: h.kind, text: null, media: [], photos: [], comments: [] };
        if (content && (content.kind === 'post' || content.kind === 'wallPost')) {
          post.text = content.body.text;
          post.media = content.body.media;
          post.photos = content.body.photos ?? [];
        }
        items.set(e.id, post);
        postById.set(e.id, post);
        posts.push(post);
        break;
      }
      case 'comment': {
        const parent = target ? postById.get(target) : undefined;
        const comment: CommentView = { ...base, text: content?.kind === 'comment' ? content.body.text : null };
        parent?.comments.push(comment);
        items.set(e.id, comment);
        break;
      }
      case 'edit': {
        const item = target ? items.get(target) : undefined;
        if (item && content?.kind === 'edit') {
          item.text = content.body.text;
          const post = postById.get(target!);
          if (post) {
            post.media = content.body.media;
            post.photos = content.body.photos ?? [];
          }
          item.edited = true;
        }
        break;
      }
      case 'like':
      case 'unlike':
        if (target) {
          const set = likes.get(target) ?? new Set<string>();
          if (h.kind === 'like') set.add(h.author);
          else set.delete(h.author);
          likes.set(target, set);
        }
        break;
      case 'delete':
        if (target) items.delete(target);
        break;
      case 'profile':
        if (content?.kind === 'profile') profile = content.body;
        break;
      case 'goodbye':
        farewell = content?.kind === 'goodbye' ? content.body.text : '';
        break;
      case 'rotate':
        break;
    }
  }
  const live = (id: string) => items.has(id);
  const withLikes = <T extends CommentView | PostView>(v: T): T => ({ ...v, likes: [...(likes.get(v.id) ?? [])].sort() });
  return {
    wall,
    profile,
    farewell,
    posts: posts
      .filter((p) => live(p.id))
      .reverse()
      .map((p) => ({ ...withLikes(p), comments: p.comments.filter((c) => live(c.id)).map(withLikes) })),
  };
}
