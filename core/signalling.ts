/**
 * The broker's own frames (`PW_*`, and the codes of its `ERROR` refusals) as both sides see them:
 * docs/signalling.md as types, schemas and builders, used by `broker/` and by the extension's
 * peer host. PeerJS's own frames (OFFER, ANSWER, …) are only routed, never read.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { utf8 } from './bytes';
import { CANONICAL_HANDLE_SOURCE, isCanonicalHandle } from './handle';

export const SIGNALLING_LIMITS = {
  /** One frame on the signalling socket. */
  frameBytes: 64 * 1024,
  /** Deeper frames are ignored: JSON.stringify recurses, and a 64 KiB frame of "[[[…" would overflow the stack. */
  frameDepth: 64,
  /** Handles in each list of a `PW_ALLOW` and a `PW_PRESENCE`. */
  listHandles: 5_000,
  /** A `PW_RELAY` payload, serialized. */
  relayPayloadBytes: 4_096,
  /** A relay id. */
  relayIdChars: 64,
} as const;

/** Codes that start the `msg` of an ERROR frame. */
export const REFUSAL_MESSAGES = {
  auth_missing: 'Sign in first: the connection needs a session token.',
  auth_invalid: 'The session token is not valid. Sign in again.',
  auth_expired: 'Your session has expired. Sign in again.',
  auth_revoked: 'This session has ended because the password was changed or the account was deleted. Sign in again.',
  id_mismatch: 'The peer id must be the handle the session token was issued for.',
  invalid_key: 'The PeerJS key must be "peerjs".',
  signed_in_elsewhere: 'This handle is connected from a newer sign-in on another device or tab.',
  server_full: 'The broker has reached its connection limit. Try again later.',
  too_large: 'A message was larger than 64 KiB.',
  rate_limited: 'Too many messages in a short time.',
  unavailable: 'The broker cannot reach its account database or shared store right now. Connecting again shortly.',
} as const;
export type RefusalCode = keyof typeof REFUSAL_MESSAGES;

/** The code at the start of an ERROR frame's message, or null. */
export function refusalCode(message: string): string | null {
  return /^([a-z_]+):/.exec(message.trim())?.[1] ?? null;
}

const Handle = Type.String({ pattern: CANONICAL_HANDLE_SOURCE });
const HandleList = Type.Array(Handle, { maxItems: SIGNALLING_LIMITS.listHandles });
const RelayId = Type.String({ minLength: 1, maxLength: SIGNALLING_LIMITS.relayIdChars });

/**
 * `delivered`: the destination lists the sender and got it; `accepted`: the broker delivered it or keeps
 * it, which the sender cannot tell apart (docs/signalling.md); `queued` is only sent by older brokers.
 */
export const RELAY_STATUSES = ['delivered', 'accepted', 'queued', 'rejected'] as const;
export type RelayStatus = (typeof RELAY_STATUSES)[number];
/** Why a relay was rejected; a client treats unknown future reasons as "try again later". */
export type RelayRejection = 'rate_limited' | 'too_large' | 'invalid' | 'unknown_handle' | 'queue_full' | 'unavailable';

// ---- client → broker ---------------------------------------------------------------------------

const AllowFrame = Type.Object({
  type: Type.Literal('PW_ALLOW'),
  payload: Type.Object({ handles: Type.Optional(HandleList), blocked: Type.Optional(HandleList) }),
});
const OutgoingRelayFrame = Type.Object({
  type: Type.Literal('PW_RELAY'),
  dst: Handle,
  payload: Type.Object({ id: RelayId, body: Type.Unknown() }),
});
export type AllowFrame = { type: 'PW_ALLOW'; payload: { handles: string[]; blocked: string[] } };
export type OutgoingRelayFrame = Static<typeof OutgoingRelayFrame>;
/** Every `PW_*` frame a client sends. */
export type ClientFrame = AllowFrame | OutgoingRelayFrame;

export const allowFrame = (handles: string[], blocked: string[]): AllowFrame => ({ type: 'PW_ALLOW', payload: { handles, blocked } });
export const relayFrame = (dst: string, id: string, body: unknown): OutgoingRelayFrame => ({ type: 'PW_RELAY', dst, payload: { id, body } });

// ---- broker → client ---------------------------------------------------------------------------

const IncomingRelayFrame = Type.Object({
  type: Type.Literal('PW_RELAY'),
  src: Handle,
  payload: Type.Object({ id: RelayId, body: Type.Unknown() }),
});
const RelayStatusFrame = Type.Object({
  type: Type.Literal('PW_RELAY_STATUS'),
  payload: Type.Object({
    id: RelayId,
    dst: Type.String({ maxLength: 64 }),
    status: Type.Union(RELAY_STATUSES.map((s) => Type.Literal(s))),
    reason: Type.Optional(Type.String({ maxLength: 32 })),
  }),
});
const PresenceFrame = Type.Object({
  type: Type.Literal('PW_PRESENCE'),
  payload: Type.Object({ online: HandleList, offline: HandleList }),
});
export type IncomingRelayFrame = Static<typeof IncomingRelayFrame>;
export type RelayStatusFrame = Static<typeof RelayStatusFrame>;
export type PresenceFrame = Static<typeof PresenceFrame>;
/** Every `PW_*` frame the broker sends. */
export type ServerFrame = IncomingRelayFrame | RelayStatusFrame | PresenceFrame;

export const incomingRelayFrame = (src: string, id: string, body: unknown): IncomingRelayFrame => ({ type: 'PW_RELAY', src, payload: { id, body } });
export function relayStatusFrame(id: string, dst: string, status: RelayStatus, reason?: RelayRejection): RelayStatusFrame {
  return { type: 'PW_RELAY_STATUS', payload: reason === undefined ? { id, dst, status } : { id, dst, status, reason } };
}
export const presenceFrame = (online: string[], offline: string[]): PresenceFrame => ({ type: 'PW_PRESENCE', payload: { online, offline } });

const SERVER_SCHEMAS: Record<ServerFrame['type'], TSchema> = {
  PW_RELAY: IncomingRelayFrame,
  PW_RELAY_STATUS: RelayStatusFrame,
  PW_PRESENCE: PresenceFrame,
};

/** A broker frame the client understands, or null for anything else (PeerJS frames, malformed `PW_*`). */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (typeof data !== 'object' || data === null) return null;
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SERVER_SCHEMAS, type)) return null;
  return Value.Check(SERVER_SCHEMAS[type as ServerFrame['type']], data) ? (data as ServerFrame) : null;
}

/** What the broker makes of one client frame; anything unusable becomes IGNORED, never an exception. */
export type ParsedClientFrame =
  | { type: 'HEARTBEAT' }
  | { type: 'OFFER' | 'ANSWER' | 'CANDIDATE' | 'LEAVE'; dst: string; payload: unknown }
  | { type: 'PW_ALLOW'; handles: string[]; blocked: string[] }
  | { type: 'PW_RELAY'; dst: string; id: string; body: unknown; size: number }
  | { type: 'PW_RELAY_INVALID'; id: string; dst: string; reason: 'invalid' | 'too_large' }
  | { type: 'IGNORED' };

const ROUTED = new Set(['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']);

/** Parses one frame from a client (the broker's side). */
export function parseClientFrame(text: string): ParsedClientFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { type: 'IGNORED' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { type: 'IGNORED' };
  const { type, dst, payload } = data as Record<string, unknown>;
  if (type === 'HEARTBEAT') return { type };
  if (nestedDeeperThan(data, SIGNALLING_LIMITS.frameDepth)) {
    return type === 'PW_RELAY' ? invalidRelay(dst, payload, 'invalid') : { type: 'IGNORED' };
  }
  if (typeof type === 'string' && ROUTED.has(type)) {
    return isCanonicalHandle(dst) ? { type: type as 'OFFER', dst, payload } : { type: 'IGNORED' };
  }
  if (type === 'PW_ALLOW') {
    // Ignored as a whole unless every handle is canonical and each list within its limit.
    if (!Value.Check(AllowFrame, { type, payload: payload ?? {} })) return { type: 'IGNORED' };
    const fields = (payload ?? {}) as { handles?: string[]; blocked?: string[] };
    return { type, handles: fields.handles ?? [], blocked: fields.blocked ?? [] };
  }
  if (type === 'PW_RELAY') {
    if (!Value.Check(OutgoingRelayFrame, data)) return invalidRelay(dst, payload, 'invalid');
    const frame = data as OutgoingRelayFrame;
    const size = utf8(JSON.stringify(frame.payload)).length;
    if (size > SIGNALLING_LIMITS.relayPayloadBytes) return invalidRelay(dst, payload, 'too_large');
    return { type, dst: frame.dst, id: frame.payload.id, body: frame.payload.body, size };
  }
  return { type: 'IGNORED' };
}

function invalidRelay(dst: unknown, payload: unknown, reason: 'invalid' | 'too_large'): ParsedClientFrame {
  const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
  return { type: 'PW_RELAY_INVALID', id: typeof id === 'string' ? id.slice(0, SIGNALLING_LIMITS.relayIdChars) : '', dst: isCanonicalHandle(dst) ? dst : '', reason };
}

/** True when `value` holds objects or arrays nested more than `limit` levels deep (iterative: no recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ item: unknown; depth: number }> = [{ item: value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.item !== 'object' || next.item === null) continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.item)) stack.push({ item: child, depth: next.depth + 1 });
  }
  return false;
}
