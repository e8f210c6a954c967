/**
 * The one message protocol between the extension's UI pages, its background and its peer
 * host. The prefix names the receiver: `host:` the peer host (offscreen document on Chrome,
 * background page on Firefox), `bg:` the background, `ui:` open popup / side panel pages.
 *
 * Wire envelope: a request is `{ type, payload? }` sent with `runtime.sendMessage`; the
 * answer is `{ ok: true, value }` or `{ ok: false, error: { code, message } }`.
 */
import { parseSession, type Session } from './session';
import { PeerwallError, type ErrorInfo } from './errors';
import type { FeedPost, SocialNotice, SocialState } from './social/social-views';

export type ConnectionState = 'online' | 'connecting' | 'offline' | 'signed_in_elsewhere';

export interface HostState {
  handle: string | null;
  connection: ConnectionState;
  brokerUrl: string | null;
  /** A sentence about the last problem, e.g. why the peer is offline; null when all is well. */
  notice: string | null;
  contacts: number;
}

export interface Credentials {
  handle: string;
  password: string;
  brokerUrl: string;
}

export interface Protocol {
  'host:get-state': { payload: undefined; value: HostState };
  'host:sign-in': { payload: Credentials; value: HostState };
  'host:create-account': { payload: Credentials; value: HostState };
  'host:sign-out': { payload: undefined; value: HostState };
  'host:reconnect': { payload: undefined; value: HostState };
  'host:set-contacts': { payload: { handles: string[] }; value: { count: number } };
  'host:probe-peer': { payload: { handle: string }; value: { rttMs: number } };
  'host:social-state': { payload: undefined; value: SocialState };
  'host:add-friend': { payload: { handle: string }; value: SocialState };
  'host:answer-request': { payload: { handle: string; accept: boolean }; value: SocialState };
  'host:unfriend': { payload: { handle: string }; value: SocialState };
  'host:block': { payload: { handle: string }; value: SocialState };
  'host:unblock': { payload: { handle: string }; value: SocialState };
  'host:post': { payload: { text: string }; value: FeedPost };
  'host:feed': { payload: { limit: number; wall: string | null }; value: FeedPost[] };
  'host:delete-account': { payload: { password: string }; value: HostState };
  'bg:ensure-host': { payload: undefined; value: { created: boolean } };
  'bg:session-get': { payload: undefined; value: Session | null };
  'bg:session-set': { payload: { session: Session | null }; value: null };
  'bg:notify': { payload: SocialNotice; value: null };
  'bg:mark-seen': { payload: undefined; value: null };
  'bg:unseen': { payload: undefined; value: { count: number; focusPostId: string | null } };
  'ui:host-state': { payload: HostState; value: null };
  'ui:social-changed': { payload: undefined; value: null };
}

export type MessageType = keyof Protocol;
export type Payload<K extends MessageType> = Protocol[K]['payload'];
export type Value<K extends MessageType> = Protocol[K]['value'];
export type Receiver = 'host' | 'bg' | 'ui';
export type MessagesFor<R extends Receiver> = Extract<MessageType, `${R}:${string}`>;

export interface Request {
  type: string;
  payload?: unknown;
}
export type Response<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Longest post text accepted at the boundary; the core enforces 10 000 code points with a sentence. */
const MAX_POST_INPUT = 50_000;
const MAX_FEED = 500;

const CONNECTION_STATES: readonly string[] = ['online', 'connecting', 'offline', 'signed_in_elsewhere'];
const MAX_CONTACTS = 5000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(type: string, what: string): PeerwallError {
  return new PeerwallError('invalid_payload', `The ${type} message needs ${what}.`);
}

function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function none<K extends MessageType>(type: K) {
  return (payload: unknown): undefined => {
    if (payload !== undefined && payload !== null) throw invalid(type, 'no payload');
    return undefined;
  };
}

function credentials(type: string) {
  return (payload: unknown): Credentials => {
    if (
      isRecord(payload) &&
      boundedString(payload.handle, 64) &&
      boundedString(payload.password, 1024) &&
      boundedString(payload.brokerUrl, 2048)
    ) {
      return { handle: payload.handle, password: payload.password, brokerUrl: payload.brokerUrl };
    }
    throw invalid(type, 'a handle, a password and a Broker URL');
  };
}

function handleOnly(type: string) {
  return (payload: unknown): { handle: string } => {
    if (isRecord(payload) && boundedString(payload.handle, 64)) return { handle: payload.handle };
    throw invalid(type, 'a handle');
  };
}

export function parseNotice(payload: unknown): SocialNotice {
  if (
    isRecord(payload) &&
    (payload.kind === 'post' || payload.kind === 'request') &&
    boundedString(payload.title, 200) &&
    boundedString(payload.message, 1000) &&
    (payload.postId === null || boundedString(payload.postId, 64)) &&
    (payload.count === undefined || (Number.isInteger(payload.count) && (payload.count as number) >= 1 && (payload.count as number) <= 10_000))
  ) {
    const notice: SocialNotice = { kind: payload.kind, title: payload.title, message: payload.message, postId: payload.postId };
    if (payload.count !== undefined) notice.count = payload.count as number;
    return notice;
  }
  throw invalid('bg:notify', 'a notification');
}

export function parseHostState(payload: unknown): HostState {
  if (
    isRecord(payload) &&
    (payload.handle === null || boundedString(payload.handle, 64)) &&
    typeof payload.connection === 'string' &&
    CONNECTION_STATES.includes(payload.connection) &&
    (payload.brokerUrl === null || boundedString(payload.brokerUrl, 2048)) &&
    (payload.notice === null || boundedString(payload.notice, 1000)) &&
    typeof payload.contacts === 'number'
  ) {
    return {
      handle: payload.handle,
      connection: payload.connection as ConnectionState,
      brokerUrl: payload.brokerUrl,
      notice: payload.notice,
      contacts: payload.contacts,
    };
  }
  throw invalid('ui:host-state', 'a peer host state');
}

/** Shape checks for every payload; receivers get typed values or an `invalid_payload` error. */
export const payloadParsers: { [K in MessageType]: (payload: unknown) => Payload<K> } = {
  'host:get-state': none('host:get-state'),
  'host:sign-in': credentials('host:sign-in'),
  'host:create-account': credentials('host:create-account'),
  'host:sign-out': none('host:sign-out'),
  'host:reconnect': none('host:reconnect'),
  'host:set-contacts': (payload) => {
    if (
      isRecord(payload) &&
      Array.isArray(payload.handles) &&
      payload.handles.length <= MAX_CONTACTS &&
      payload.handles.every((h) => boundedString(h, 64))
    ) {
      return { handles: payload.handles as string[] };
    }
    throw invalid('host:set-contacts', `a list of at most ${MAX_CONTACTS} handles`);
  },
  'host:probe-peer': (payload) => {
    if (isRecord(payload) && boundedString(payload.handle, 64)) return { handle: payload.handle };
    throw invalid('host:probe-peer', 'a handle');
  },
  'host:social-state': none('host:social-state'),
  'host:add-friend': handleOnly('host:add-friend'),
  'host:answer-request': (payload) => {
    if (isRecord(payload) && boundedString(payload.handle, 64) && typeof payload.accept === 'boolean') {
      return { handle: payload.handle, accept: payload.accept };
    }
    throw invalid('host:answer-request', 'a handle and whether to accept');
  },
  'host:unfriend': handleOnly('host:unfriend'),
  'host:block': handleOnly('host:block'),
  'host:unblock': handleOnly('host:unblock'),
  'host:post': (payload) => {
    if (isRecord(payload) && boundedString(payload.text, MAX_POST_INPUT)) return { text: payload.text };
    throw invalid('host:post', 'the post text (at most 10000 characters)');
  },
  'host:feed': (payload) => {
    if (
      isRecord(payload) &&
      Number.isInteger(payload.limit) &&
      (payload.limit as number) > 0 &&
      (payload.limit as number) <= MAX_FEED &&
      (payload.wall === null || boundedString(payload.wall, 64))
    ) {
      return { limit: payload.limit as number, wall: payload.wall };
    }
    throw invalid('host:feed', `a limit of 1–${MAX_FEED} posts and a wall or null`);
  },
  'host:delete-account': (payload) => {
    if (isRecord(payload) && boundedString(payload.password, 1024)) return { password: payload.password };
    throw invalid('host:delete-account', 'your password');
  },
  'bg:ensure-host': none('bg:ensure-host'),
  'bg:session-get': none('bg:session-get'),
  'bg:session-set': (payload) => {
    if (isRecord(payload) && payload.session === null) return { session: null };
    const session = isRecord(payload) ? parseSession(payload.session) : null;
    if (session) return { session };
    throw invalid('bg:session-set', 'a valid session or null');
  },
  'bg:notify': parseNotice,
  'bg:mark-seen': none('bg:mark-seen'),
  'bg:unseen': none('bg:unseen'),
  'ui:host-state': parseHostState,
  'ui:social-changed': none('ui:social-changed'),
};

export function isMessageType(type: unknown): type is MessageType {
  return typeof type === 'string' && Object.hasOwn(payloadParsers, type);
}
