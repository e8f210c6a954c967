import { type Draft, queueForFriend, writeOwnEntry } from '@/core/author';
import { decodeBody } from '@/core/body';
import { codePointLength } from '@/core/bytes';
import { entryId, type SignedEntry } from '@/core/entry';
import { CONTENT_KINDS } from '@/core/entryKind';
import { LIMITS } from '@/core/limits';
import type { MediaStore } from '@/core/mediaStore';
import { PeerwallError } from '../errors';
import { type OwnWriterDeps, saved } from './own-wall';
import type { PhotoClaims } from './photo-claims';
import type { PhotoRequest } from './staged-photo-check';
import type { ActionReceipt, RejectionView, SubmissionKind } from './social-views';

/** Refused entries kept for their author to read; older ones are dropped. */
export const REJECTIONS_KEPT = 20;

export interface ConversationDeps extends OwnWriterDeps {
  /** Photo files: deleting a post on one's own wall frees the files nothing else refers to. */
  media: Pick<MediaStore, 'dropReferences'>;
  /** The photos of a wall post: checked from where pages staged them, then kept under the post (./photo-claims.ts). */
  photos: PhotoClaims;
  /** Whether a sync session with the friend is open, so a submission goes out now. */
  online(handle: string): boolean;
}

/** A post or comment an action refers to: who wrote it, its kind and body, from the wall's log or one's own queue. */
type Target = { author: string; kind: string; entry: SignedEntry };

const SUBMISSION_KINDS: readonly string[] = ['wallPost', 'comment', 'like', 'unlike', 'edit', 'delete'] satisfies SubmissionKind[];

/**
 * Comments, likes, edits and deletes on posts and comments (docs/protocol.md §5): on one's own
 * wall they are sealed at once; on a friend's wall they are signed, queued and submitted to the
 * friend, who seals them for every reader (§7.4). The checks here give people clear sentences;
 * the wall's owner checks the same rules again when it seals.
 */
export function createConversation(deps: ConversationDeps) {
  const { identity, replica, circle } = deps;
  const me = identity.handle;
  const writeDeps = { randomBytes: deps.randomBytes, now: deps.now, verifier: deps.verifier };

  function mustReach(wall: string): void {
    if (wall !== me && !circle.friends.has(wall)) throw new PeerwallError('not_friends', `@${wall} is not your friend.`);
  }

  async function target(wall: string, id: string): Promise<Target> {
    const sealed = await replica.entryById(wall, id);
    const entry = sealed ?? (wall === me ? null : (await replica.outbox(wall)).find((i) => i.id === id)?.entry);
    if (!entry || (sealed?.tombstoned ?? false) || !CONTENT_KINDS.includes(entry.header.kind)) {
      throw new PeerwallError('not_found', 'That post or comment is gone: it was deleted, or it is not on this wall.');
    }
    return { author: entry.header.author, kind: entry.header.kind, entry };
  }

  async function write(wall: string, draft: Draft): Promise<ActionReceipt> {
    const what = draft.kind === 'comment' ? 'comment' : draft.kind === 'wallPost' ? 'post' : 'change';
    if (wall === me) {
      const stored = await saved(() => writeOwnEntry(replica, identity, draft, writeDeps), what);
      deps.spread();
      return { id: stored.id, message: null };
    }
    const id = await saved(() => queueForFriend(replica, identity, wall, draft, writeDeps), what);
    deps.spread();
    return { id, message: deps.online(wall) ? null : `Will be delivered when @${wall} comes online.` };
  }

  return {
    /**
     * Signs a post for a friend's wall and queues it for the friend to seal: delivered directly when
     * the friend is online, or carried by a mutual friend who meets them first (§7.5). Its photos are
     * kept under the queued entry, so the friend — and, once sealed, its other readers — fetch them from
     * their author; a friend before version 4 gets the post once it speaks version 4 (§7.6).
     */
    async wallPost(wall: string, text: string, photos: readonly PhotoRequest[] = []): Promise<ActionReceipt> {
      if (!circle.friends.has(wall)) throw new PeerwallError('not_friends', `@${wall} is not your friend.`);
      const claimed = await deps.photos.claim(photos);
      const body = { text, media: [], ...(claimed?.photos.length ? { photos: claimed.photos } : {}) };
      const id = await saved(() => queueForFriend(replica, identity, wall, { kind: 'wallPost', body }, writeDeps), 'post');
      await deps.photos.keep(claimed, wall, id);
      deps.spread();
      return { id, message: deps.online(wall) ? null : `Will be delivered when @${wall} comes online.` };
    },
    async comment(wall: string, postId: string, text: string): Promise<ActionReceipt> {
      mustReach(wall);
      const post = await target(wall, postId);
      if (post.kind === 'comment') throw new PeerwallError('invalid_post', 'Comments answer posts, not other comments.');
      return write(wall, { kind: 'comment', target: postId, body: { text } });
    },
    async like(wall: string, id: string, liked: boolean): Promise<ActionReceipt> {
      mustReach(wall);
      await target(wall, id);
      return write(wall, { kind: liked ? 'like' : 'unlike', target: id, body: null });
    },
    async edit(wall: string, id: string, text: string): Promise<ActionReceipt> {
      mustReach(wall);
      const item = await target(wall, id);
      if (item.author !== me) throw new PeerwallError('forbidden', 'Only its author can edit this.');
      const old = item.entry.body ? decodeBody(item.entry.header.kind, item.entry.body) : null;
      const post = old?.ok && (old.value.kind === 'post' || old.value.kind === 'wallPost') ? old.value.body : null;
      // An edit replaces the post's body: it keeps the photos (and bare references) it had.
      const kept = { media: post?.media ?? [], ...(post?.photos?.length ? { photos: post.photos } : {}) };
      if (item.kind === 'comment' && codePointLength(text) > LIMITS.commentChars) {
        throw new PeerwallError('invalid_post', `A comment is at most ${LIMITS.commentChars} characters; yours has ${codePointLength(text)}.`);
      }
      return write(wall, { kind: 'edit', target: id, body: { text, ...kept } });
    },
    async remove(wall: string, id: string): Promise<ActionReceipt> {
      mustReach(wall);
      const item = await target(wall, id);
      if (item.author !== me && wall !== me) throw new PeerwallError('forbidden', `Only its author or @${wall} can delete this.`);
      const receipt = await write(wall, { kind: 'delete', target: id, body: null });
      // Sealed here only on one's own wall; elsewhere the owner's sealed delete comes back by sync (§7.6).
      if (wall === me) {
        const edits = (await replica.entriesTargeting(wall, id)).filter((e) => e.header.kind === 'edit').map((e) => e.id);
        await deps.media.dropReferences(wall, [id, ...edits]);
      }
      return receipt;
    },
    /** Keeps what a friend refused to seal, for its author to read (the outbox no longer holds it). */
    async rejected(wall: string, id: string, reason: string, entry: SignedEntry | null): Promise<void> {
      if (!entry || entryId(entry.header) !== id || !SUBMISSION_KINDS.includes(entry.header.kind)) return;
      const decoded = entry.body ? decodeBody(entry.header.kind, entry.body) : null;
      const body = decoded?.ok ? decoded.value : null;
      const text = body?.kind === 'wallPost' || body?.kind === 'comment' || body?.kind === 'edit' ? body.body.text : null;
      const rejection: RejectionView = { id, wall, kind: entry.header.kind as SubmissionKind, text, reason, at: deps.now() };
      await deps.store.putRejection(rejection, REJECTIONS_KEPT);
      // Never sealed, so nobody will fetch its photos: their files go unless something else refers to them.
      await deps.media.dropReferences(wall, [id]);
    },
    dismissRejection: (id: string): Promise<void> => deps.store.deleteRejection(id),
  };
}

export type Conversation = ReturnType<typeof createConversation>;
