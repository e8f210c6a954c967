/** Sentences the conversation UI shows, kept out of the templates so they can be tested as text. */
import type { ConnectionState } from '@/platform/messages';
import type { FriendView, SubmissionKind } from '@/platform/social/social-views';
import { presenceLabel } from './presence-labels';

/** `Liked by @carol, @bob` in the host's order, or null when nobody likes it. */
export function likedBySentence(likes: readonly string[], known: (handle: string) => boolean = () => true): string | null {
  // Only the wall's seal stands for a liker who is not one's friend: say so, as for posts and comments.
  const names = likes.map((h) => (known(h) ? `@${h}` : `@${h} (not your friend)`));
  return likes.length === 0 ? null : `Liked by ${names.join(', ')}`;
}

/** What a refused entry was, after "@alice did not accept your …". */
const REFUSED_WHAT: Record<SubmissionKind, string> = {
  wallPost: 'wall post',
  comment: 'comment',
  like: 'like',
  unlike: 'unlike',
  edit: 'edit',
  delete: 'delete',
};

/** What follows the wall owner's handle: `did not accept your wall post: <reason>`. */
export function refusalSentence(kind: SubmissionKind, reason: string): string {
  const why = reason.trim();
  return `did not accept your ${REFUSED_WHAT[kind]}${why ? `: ${why}` : '.'}`;
}

/** Where one stands with a wall's owner: oneself, a friend (and their presence), or nobody. */
export function wallStanding(wall: string, me: string | null, friend: FriendView | undefined, own: ConnectionState = 'online'): string {
  if (wall === me) return 'This is your wall.';
  if (!friend) return 'Not your friend.';
  return `Friend · ${friend.gone ? 'Deleted their account' : presenceLabel(friend.presence, own).text}`;
}

/** What an empty list of posts means on the Feed, one's own wall, a friend's or someone else's. */
export function noPostsSentence(wall: string | null, me: string | null, isFriend: boolean): string {
  if (wall === null) return 'No posts yet. Write the first one, or add a friend.';
  if (wall === me) return 'No posts on your wall yet.';
  if (isFriend) return `No posts on @${wall}’s wall yet.`;
  return `Only @${wall}’s friends see their wall.`;
}

/** The letter in a wall's circle: the display name's first character, else the handle's. */
export function initialOf(displayName: string | undefined, handle: string): string {
  const first = [...(displayName?.trim() || handle)][0] ?? '?';
  return first.toLocaleUpperCase();
}
