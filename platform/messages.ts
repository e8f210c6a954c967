/**
 * The one message protocol between the extension's UI pages, its background and its peer
 * host. The prefix names the receiver: `host:` the peer host (offscreen document on Chrome,
 * background page on Firefox), `bg:` the background, `ui:` open popup / side panel pages.
 * Each message is declared once: its payload schema gives both the TypeScript type and the
 * receiver's validation; its answer type is declared beside it.
 *
 * Wire envelope: a request is `{ type, payload? }` sent with `runtime.sendMessage`; the
 * answer is `{ ok: true, value }` or `{ ok: false, error: { code, message } }`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LIMITS } from '@/core/limits';
import { PeerwallError, type ErrorInfo } from './errors';
import { parseSession, SessionSchema, type Session } from './session';
import type { Unseen } from './storage-items';
import type { ConnectionEvent } from './social/connection-log';
import type { BackupImported } from './backup/merge-backup';
import {
  COMMENT_TEXT_UNITS,
  EXPANDED_MAX,
  FeedPhotoSchema,
  POST_TEXT_UNITS,
  SocialChangeSchema,
  SocialNoticeSchema,
  type ActionReceipt,
  type FeedPost,
  type SocialState,
  type WallPostReceipt,
} from './social/social-views';

export const CONNECTION_STATES = ['online', 'connecting', 'offline', 'signed_in_elsewhere'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

const HostStateSchema = Type.Object({
  handle: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  connection: Type.Union(CONNECTION_STATES.map((s) => Type.Literal(s))),
  brokerUrl: Type.Union([Type.String({ maxLength: 2048 }), Type.Null()]),
  /** A sentence about the last problem, e.g. why the peer is offline; null when all is well. */
  notice: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]),
});
export type HostState = Static<typeof HostStateSchema>;

const CredentialsSchema = Type.Object({
  handle: Type.String({ maxLength: 64 }),
  password: Type.String({ maxLength: 1024 }),
  brokerUrl: Type.String({ maxLength: 2048 }),
});
export type Credentials = Static<typeof CredentialsSchema>;

/** Longest feed page a page may ask for. */
export const FEED_MAX = 500;

const None = Type.Undefined();
/** An entry id, as hex. */
const EntryId = Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$' });
/** The wall an entry is on and the entry an action refers to. */
const OnEntry = { wall: Type.String({ maxLength: 64 }), target: EntryId };
const HandleOnly = Type.Object({ handle: Type.String({ maxLength: 64 }) });

/**
 * One message: its payload schema, what a bad payload lacks, an optional check beyond the
 * schema, and the answer's type (`_value` is never set; it only carries the type).
 */
interface Spec<P extends TSchema, V> {
  payload: P;
  needs: string;
  check?: (payload: Static<P>) => boolean;
  readonly _value?: () => V;
}
const spec =
  <V>() =>
  <P extends TSchema>(payload: P, needs: string, check?: (payload: Static<P>) => boolean): Spec<P, V> => ({ payload, needs, check });

export const MESSAGES = {
  'host:get-state': spec<HostState>()(None, 'no payload'),
  'host:sign-in': spec<HostState>()(CredentialsSchema, 'a handle, a password and a Broker URL'),
  'host:create-account': spec<HostState>()(CredentialsSchema, 'a handle, a password and a Broker URL'),
  'host:sign-out': spec<HostState>()(None, 'no payload'),
  'host:reconnect': spec<HostState>()(None, 'no payload'),
  'host:social-state': spec<SocialState>()(None, 'no payload'),
  'host:add-friend': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:answer-request': spec<SocialState>()(
    Type.Object({ handle: Type.String({ maxLength: 64 }), accept: Type.Boolean() }),
    'a handle and whether to accept',
  ),
  'host:cancel-request': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:dismiss-unfriended': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:dismiss-fork-notice': spec<SocialState>()(None, 'no payload'),
  'host:unfriend': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:block': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:accept-key-change': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:ignore-key-change': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:recover-from-friends': spec<SocialState>()(
    Type.Object({ handles: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: LIMITS.recoveryFriends }) }),
    `the handles of 1 to ${LIMITS.recoveryFriends} friends`,
  ),
  'host:skip-recovery': spec<SocialState>()(None, 'no payload'),
  'host:unblock': spec<SocialState>()(HandleOnly, 'a handle'),
  'host:post': spec<FeedPost>()(
    Type.Object({
      text: Type.String({ maxLength: POST_TEXT_UNITS }),
      /** Photos whose files the page staged (platform/staged-photos.ts): never their bytes. */
      photos: Type.Optional(Type.Array(FeedPhotoSchema, { maxItems: LIMITS.mediaPerPost })),
    }),
    `the post text (at most ${LIMITS.postChars} characters) and at most ${LIMITS.mediaPerPost} photos`,
  ),
  'host:write-on-wall': spec<WallPostReceipt>()(
    Type.Object({
      wall: Type.String({ maxLength: 64 }),
      text: Type.String({ maxLength: POST_TEXT_UNITS }),
      photos: Type.Optional(Type.Array(FeedPhotoSchema, { maxItems: LIMITS.mediaPerPost })),
    }),
    `a friend's handle, the post text (at most ${LIMITS.postChars} characters) and at most ${LIMITS.mediaPerPost} photos`,
  ),
  'host:comment': spec<ActionReceipt>()(
    Type.Object({ ...OnEntry, text: Type.String({ maxLength: COMMENT_TEXT_UNITS }) }),
    `a wall, a post id and the comment text (at most ${LIMITS.commentChars} characters)`,
  ),
  'host:like': spec<ActionReceipt>()(Type.Object({ ...OnEntry, liked: Type.Boolean() }), 'a wall, a post or comment id and whether it is liked'),
  'host:edit': spec<ActionReceipt>()(
    Type.Object({ ...OnEntry, text: Type.String({ maxLength: POST_TEXT_UNITS }) }),
    `a wall, a post or comment id and the new text (at most ${LIMITS.postChars} characters)`,
  ),
  'host:delete': spec<ActionReceipt>()(Type.Object(OnEntry), 'a wall and a post or comment id'),
  'host:set-profile': spec<SocialState>()(
    Type.Object({
      displayName: Type.String({ maxLength: LIMITS.displayNameChars * 2 }),
      about: Type.String({ maxLength: LIMITS.aboutChars * 2 }),
      /** The picture: absent keeps the published one, null removes it, else its staged files (never their bytes). */
      picture: Type.Optional(Type.Union([Type.Null(), FeedPhotoSchema])),
    }),
    `a display name (at most ${LIMITS.displayNameChars} characters), an about text (at most ${LIMITS.aboutChars}) and maybe a picture`,
  ),
  'host:dismiss-rejection': spec<SocialState>()(Type.Object({ id: EntryId }), 'the id of a refused entry'),
  'host:feed': spec<FeedPost[]>()(
    Type.Object({
      limit: Type.Integer({ minimum: 1, maximum: FEED_MAX }),
      wall: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
      /** Posts whose whole thread the page shows (the others carry their newest comments). */
      expanded: Type.Optional(Type.Array(EntryId, { maxItems: EXPANDED_MAX })),
    }),
    `a limit of 1–${FEED_MAX} posts, a wall or null, and at most ${EXPANDED_MAX} expanded post ids`,
  ),
  'host:connection-log': spec<ConnectionEvent[]>()(HandleOnly, 'a handle'),
  'host:delete-account': spec<HostState>()(
    /** `erase`: also erase everything Peerwall stored for the account in this browser (kept when absent). */
    Type.Object({ password: Type.String({ maxLength: 1024 }), erase: Type.Optional(Type.Boolean()) }),
    'your password, and whether to erase this browser’s data',
  ),
  'host:import-backup': spec<BackupImported>()(
    /** The file itself is staged by the page (platform/staged-backup.ts): never its bytes. */
    Type.Object({ staged: Type.String({ maxLength: 64, pattern: '^[0-9a-f-]{36}$' }), passphrase: Type.String({ maxLength: 1024 }) }),
    'a staged backup file and its Backup passphrase',
  ),
  'bg:ensure-host': spec<{ created: boolean }>()(None, 'no payload'),
  'bg:session-get': spec<Session | null>()(None, 'no payload'),
  'bg:session-set': spec<null>()(
    Type.Object({ session: Type.Union([SessionSchema, Type.Null()]) }),
    'a valid session or null',
    ({ session }) => session === null || parseSession(session) !== null,
  ),
  'bg:notify': spec<null>()(SocialNoticeSchema, 'a notification'),
  'bg:mark-seen': spec<null>()(None, 'no payload'),
  'bg:erase-stored': spec<null>()(HandleOnly, 'a handle'),
  'bg:unseen': spec<Unseen>()(None, 'no payload'),
  'ui:host-state': spec<null>()(HostStateSchema, 'a peer host state'),
  'ui:social-changed': spec<null>()(SocialChangeSchema, 'what changed'),
};

type Messages = typeof MESSAGES;
export type MessageType = keyof Messages;
export type Payload<K extends MessageType> = Static<Messages[K]['payload']>;
export type Value<K extends MessageType> = ReturnType<NonNullable<Messages[K]['_value']>>;
export type Receiver = 'host' | 'bg' | 'ui';
export type MessagesFor<R extends Receiver> = Extract<MessageType, `${R}:${string}`>;

export interface Request {
  type: string;
  payload?: unknown;
}
export type Response<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/**
 * A page showing posts holds a `runtime.connect` port to the background while it is visible, named
 * `bg:feed-open` or `bg:feed-open/<view>`: while one is connected the badge counts nothing, and when a
 * named one closes, the background remembers that the person looked at that view then.
 */
export const FEED_PORT = 'bg:feed-open';
/** Views whose "last looked" time is kept: the merged feed and one's own wall. */
const FEED_VIEW = /^(?:feed|wall:[a-z0-9_]{1,15})$/;

/** The view key of a page's feed: `feed` for the merged feed, `wall:<handle>` for one's own wall, else null. */
export function feedViewKey(wall: string | null, me: string | null): string | null {
  if (wall === null) return 'feed';
  return me !== null && wall === me ? `wall:${wall}` : null;
}

export function feedPortName(view: string | null): string {
  return view === null ? FEED_PORT : `${FEED_PORT}/${view}`;
}

/** What a port name says: a feed port and its view (null when unnamed), or null for any other port. */
export function viewOfFeedPort(name: string): { view: string | null } | null {
  if (name === FEED_PORT) return { view: null };
  const view = name.startsWith(`${FEED_PORT}/`) ? name.slice(FEED_PORT.length + 1) : null;
  return view !== null && FEED_VIEW.test(view) ? { view } : null;
}

export function isMessageType(type: unknown): type is MessageType {
  return typeof type === 'string' && Object.hasOwn(MESSAGES, type);
}

/**
 * The typed payload of a `type` message, or an `invalid_payload` error naming what it needs.
 * Fields the schema does not name are dropped; `null` stands for no payload.
 */
export function parsePayload<K extends MessageType>(type: K, payload: unknown): Payload<K> {
  const message = MESSAGES[type] as unknown as Spec<TSchema, unknown>;
  const value = payload === null && message.payload === None ? undefined : payload;
  if (!Value.Check(message.payload, value) || (message.check && !message.check(value))) {
    throw new PeerwallError('invalid_payload', `The ${type} message needs ${message.needs}.`);
  }
  return Value.Clean(message.payload, value) as Payload<K>;
}
