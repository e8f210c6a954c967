/**
 * What the UI shows of friends, requests and posts. These travel in `host:` answers and `ui:` /
 * `bg:` messages, so they are plain data; the ones a receiver validates are schemas.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from '@/core/limits';

/** `cant_connect`: the broker says the friend is online but no data connection could be made. */
export type FriendPresence = 'online' | 'offline' | 'connecting' | 'cant_connect';

export interface FriendView {
  handle: string;
  presence: FriendPresence;
  /** With `cant_connect`: what failed, in a sentence (no answer, ICE failed, refused with a code…). */
  reason: string | null;
  since: number;
  /** A sentence about a problem with this friend (e.g. paused after invalid data), or null. */
  problem: string | null;
  /** How many of our own posts this friend has not received yet. */
  waiting: number;
  /** The friend deleted their account (their wall ended with a goodbye). */
  gone: boolean;
  /** 60 digits both friends see alike while nobody swapped their keys (docs/protocol.md §4.4). */
  safetyNumber: string;
  /**
   * When our copy of the friend's wall was last as far as the copy it came from, and who that was:
   * null for the friend, a handle for a mutual friend that relayed it (§7.5). Null before the first time.
   */
  wallUpToDate: { at: number; via: string | null } | null;
  /**
   * The friend presented an identity key their pinned key did not sign (docs/protocol.md §4.2): since
   * when, and the safety number with the new key. Sync stays refused until the person accepts it.
   */
  /** `recovery`: the friend asks to restore its wall under the new key (§8); accepting keeps the wall. */
  keyChange: { at: number; safetyNumber: string; recovery: boolean } | null;
}

/** A post written on a friend's wall: queued for its owner to seal, with a sentence on when it gets there. */
export interface WallPostReceipt {
  id: string;
  wall: string;
  message: string;
}

export interface RequestView {
  handle: string;
  direction: 'incoming' | 'outgoing';
  at: number;
  note: string;
  /**
   * Outgoing only: `sent` when the broker took it (it reaches the receiver now or when they come
   * online: the broker does not tell strangers which), `queued` while an older broker says the
   * receiver is offline.
   */
  delivery: 'sending' | 'sent' | 'queued' | 'delivered';
}

/** A display name, an "about" and a picture a wall's owner published (the `profile` entry, docs/protocol.md §5.3). */
export interface ProfileView {
  handle: string;
  displayName: string;
  about: string;
  /** The profile picture's files by name (pages read them from the content database); absent when none. */
  picture?: { full: string; thumbnail: string };
}

/** What one's own entries for a friend's wall can be; the owner seals them or says why not. */
export type SubmissionKind = 'wallPost' | 'comment' | 'like' | 'unlike' | 'edit' | 'delete';

/** An own entry a wall's owner refused to seal, kept until the author dismisses it. */
export interface RejectionView {
  id: string;
  wall: string;
  kind: SubmissionKind;
  /** The text of a wall post, comment or edit; null for the others. */
  text: string | null;
  /** The owner's reason, as it sent it. */
  reason: string;
  at: number;
}

/** What an action on a post or comment did: its entry id, and a sentence when it waits for the wall's owner. */
export interface ActionReceipt {
  id: string;
  message: string | null;
}

/** A friend who unfriended us: shown quietly on the friend list until dismissed. */
export interface UnfriendedView {
  handle: string;
  at: number;
}

export interface SocialState {
  friends: FriendView[];
  incoming: RequestView[];
  outgoing: RequestView[];
  blocked: string[];
  /** Sentences about failed relays (e.g. an unknown or retired handle), newest first. */
  problems: string[];
  /** Published profiles: one's own and friends' (walls without one are absent). */
  profiles: ProfileView[];
  /** Own entries a friend refused to seal, newest first. */
  rejections: RejectionView[];
  /** Former friends who unfriended us, newest first, until dismissed. */
  unfriendedBy: UnfriendedView[];
  /**
   * One's own wall is being restored from friends' copies (docs/protocol.md §8, e.g. after importing a
   * backup): writing on it waits. Optional so older callers need not set it.
   */
  recovering?: boolean;
  /**
   * A recovery from friends after a sign-in without the key (§8) waits for these named friends to confirm
   * the new key and share their copy; absent when none is going on.
   */
  recoveryWaitsFor?: string[];
  /**
   * This session began with a sign-in to an existing account that found no key for it in this browser, and
   * nothing was asked yet: Recover from friends is offered (never after creating the account).
   */
  mayRecoverFromFriends?: true;
  /** One's own wall had two versions and Peerwall joined them (§8 Forks): what it did, until dismissed. */
  wallForked?: string | null;
}

const Handle = Type.String({ maxLength: 64 });
/** Post text in UTF-16 units at most: the core counts its 10 000 code points, each at most two units. */
export const POST_TEXT_UNITS = LIMITS.postChars * 2;

/** Comment text in UTF-16 units at most (see POST_TEXT_UNITS). */
export const COMMENT_TEXT_UNITS = LIMITS.commentChars * 2;
/** Comments one post shows when opened (the oldest first); a longer thread shows its newest ones. */
export const COMMENTS_SHOWN = 200;
/** Comments each post of a feed page carries (the newest ones) unless the page asked for its whole thread. */
export const FEED_COMMENTS = 10;
/** Threads one feed page may ask for whole (`host:feed` `expanded`). */
export const EXPANDED_MAX = 20;
/**
 * Comment text one feed answer carries at most, in UTF-16 units: past it, later posts carry no
 * comments (and say there are more), so a thread written to be huge cannot make the page too large
 * to send (an extension message is at most 64 MiB).
 */
export const FEED_COMMENT_UNITS = 1_000_000;

/** One comment under a post, oldest first. */
export const FeedCommentSchema = Type.Object({
  id: Type.String({ maxLength: 64 }),
  author: Handle,
  /** Null while the body has not arrived. */
  text: Type.Union([Type.String({ maxLength: COMMENT_TEXT_UNITS }), Type.Null()]),
  shownAt: Type.Number(),
  edited: Type.Boolean(),
  /** Who likes it, sorted; blocked people left out. */
  likes: Type.Array(Handle, { maxItems: 5_000 }),
  /** One's own comment (or its edit) queued for the wall's owner and not sealed yet. */
  pending: Type.Boolean(),
  /** As for posts: the wall's owner, when only its seal vouches for the author's key; null otherwise. */
  vouchedBy: Type.Union([Handle, Type.Null()]),
});
export type FeedComment = Static<typeof FeedCommentSchema>;

const FileName = Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$' });

/** A photo of a post: its files by name (read by pages from the content database) and its alt text. */
export const FeedPhotoSchema = Type.Object({ full: FileName, thumbnail: FileName, alt: Type.String({ maxLength: LIMITS.altChars * 2 }) });

/** One post as the feed shows it (its own type: the stored feed row may grow fields the UI never sees). */
export const FeedPostSchema = Type.Object({
  id: Type.String({ maxLength: 64 }),
  wall: Handle,
  author: Handle,
  seq: Type.Integer({ minimum: 1 }),
  /** Null while the body has not arrived. */
  text: Type.Union([Type.String({ maxLength: POST_TEXT_UNITS }), Type.Null()]),
  shownAt: Type.Number(),
  edited: Type.Boolean(),
  /** Own posts: friends that have not received it yet. */
  waitingFor: Type.Array(Handle, { maxItems: 5_000 }),
  /**
   * The wall's owner, when only its seal vouches for the author's key: the author is neither the
   * reader, nor a friend of the reader, nor the owner (docs/protocol.md §6.1). Null otherwise.
   */
  vouchedBy: Type.Union([Handle, Type.Null()]),
  /** The friend who relayed it when it did not come from the wall's owner (docs/protocol.md §7.5). */
  via: Type.Union([Handle, Type.Null()]),
  /** Who likes it, sorted; one's own pending like or unlike already counted; blocked people left out. */
  likes: Type.Array(Handle, { maxItems: 5_000 }),
  /** Comments, oldest first (the newest FEED_COMMENTS, or COMMENTS_SHOWN when expanded); blocked people left out. */
  comments: Type.Array(FeedCommentSchema, { maxItems: COMMENTS_SHOWN }),
  /** Older comments exist than those carried. */
  moreComments: Type.Boolean(),
  /** One's own wall post (or its edit) queued for the wall's owner and not sealed yet. */
  pending: Type.Boolean(),
  /** Its photos, in order; empty when it has none. */
  photos: Type.Array(FeedPhotoSchema, { maxItems: LIMITS.mediaPerPost }),
});
export type FeedPost = Static<typeof FeedPostSchema>;

/**
 * What a notice is about; each can be switched off. `post`: a friend's post on their wall (or
 * someone's on a friend's wall); `wallPost`: a friend wrote on one's wall; `comment`: on one's post
 * or wall; `reply`: a comment after one's own in a thread; `like`: on one's post or comment.
 */
export const NOTICE_KINDS = ['post', 'wallPost', 'comment', 'reply', 'like', 'request'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const SocialNoticeSchema = Type.Object({
  kind: Type.Union(NOTICE_KINDS.map((k) => Type.Literal(k))),
  title: Type.String({ maxLength: 200 }),
  message: Type.String({ maxLength: 1000 }),
  /** The post to open when the notification is clicked (for a comment or a like: the post it is under). */
  postId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  /** The wall that post is on, opened first. */
  wall: Type.Optional(Type.Union([Handle, Type.Null()])),
  /** How many unseen posts or requests it stands for on the badge (a summary covers several); 1 when absent. */
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export type SocialNotice = Static<typeof SocialNoticeSchema>;

/** New feed rows carried in one change notice; more than this and pages reload the feed instead. */
export const CHANGE_MAX_POSTS = 50;

/** Photo files one change notice names at most as having grown; pages re-read only those. */
export const CHANGE_MAX_FILES = 16;

/** What changed, so open pages reload only that (`ui:social-changed`). */
export const SocialChangeSchema = Type.Object({
  /** Friends, requests, blocks, presence or problems: reload `host:social-state`. */
  friends: Type.Boolean(),
  /** Rows changed in a way new rows cannot say (edits, deletes, deliveries): reload the feed. */
  feed: Type.Boolean(),
  /** New posts to insert where they belong. */
  posts: Type.Array(FeedPostSchema, { maxItems: CHANGE_MAX_POSTS }),
  /** Photo files that gained chunks: pages showing one re-read how much of it is held, from storage. */
  media: Type.Optional(Type.Array(FileName, { maxItems: CHANGE_MAX_FILES })),
});
export type SocialChange = Static<typeof SocialChangeSchema>;
