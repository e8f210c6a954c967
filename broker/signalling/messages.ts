import { isCanonicalHandle } from '../../core/handle';

/** Codes that start the `msg` of an ERROR frame (docs/signalling.md). */
export type RefusalCode =
  | 'auth_missing'
  | 'auth_invalid'
  | 'auth_expired'
  | 'auth_revoked'
  | 'id_mismatch'
  | 'invalid_key'
  | 'signed_in_elsewhere'
  | 'server_full'
  | 'too_large'
  | 'rate_limited';

export const REFUSAL_MESSAGES: Record<RefusalCode, string> = {
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
};

export const errorFrame = (code: RefusalCode): string =>
  JSON.stringify({ type: 'ERROR', payload: { msg: `${code}: ${REFUSAL_MESSAGES[code]}` } });

export const MAX_LIST = 5_000;
export const MAX_RELAY_PAYLOAD_BYTES = 4_096;
/** Deeper frames are ignored: JSON.stringify recurses, and a 64 KiB frame of "[[[…" would overflow the stack. */
export const MAX_FRAME_DEPTH = 64;

export type ClientMessage =
  | { type: 'HEARTBEAT' }
  | { type: 'OFFER' | 'ANSWER' | 'CANDIDATE' | 'LEAVE'; dst: string; payload: unknown }
  | { type: 'PW_ALLOW'; handles: string[]; blocked: string[] }
  | { type: 'PW_RELAY'; dst: string; id: string; body: unknown; size: number }
  | { type: 'PW_RELAY_INVALID'; id: string; dst: string; reason: 'invalid' | 'too_large' }
  | { type: 'IGNORED' };

const RELAYED = new Set(['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']);

function handleList(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_LIST || !value.every(isCanonicalHandle)) return undefined;
  return value;
}

/** Parses one frame from a client; anything unusable becomes IGNORED, never an exception. */
export function parseClientMessage(text: string): ClientMessage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { type: 'IGNORED' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { type: 'IGNORED' };
  const { type, dst, payload } = data as Record<string, unknown>;
  if (type === 'HEARTBEAT') return { type };
  if (nestedDeeperThan(data, MAX_FRAME_DEPTH)) {
    return type === 'PW_RELAY' ? invalidRelay(dst, payload, 'invalid') : { type: 'IGNORED' };
  }
  if (typeof type === 'string' && RELAYED.has(type)) {
    if (!isCanonicalHandle(dst)) return { type: 'IGNORED' };
    return { type: type as 'OFFER', dst, payload };
  }
  if (type === 'PW_ALLOW') {
    const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const handles = handleList(fields.handles);
    const blocked = handleList(fields.blocked);
    if (!handles || !blocked) return { type: 'IGNORED' };
    return { type, handles, blocked };
  }
  if (type === 'PW_RELAY') return parseRelay(dst, payload);
  return { type: 'IGNORED' };
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

const relayFields = (payload: unknown): Record<string, unknown> =>
  typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};

function invalidRelay(dst: unknown, payload: unknown, reason: 'invalid' | 'too_large'): ClientMessage {
  const { id } = relayFields(payload);
  return { type: 'PW_RELAY_INVALID', id: typeof id === 'string' ? id.slice(0, 64) : '', dst: isCanonicalHandle(dst) ? dst : '', reason };
}

function parseRelay(dst: unknown, payload: unknown): ClientMessage {
  const fields = relayFields(payload);
  const id = typeof fields.id === 'string' && fields.id.length >= 1 && fields.id.length <= 64 ? fields.id : undefined;
  if (id === undefined || !isCanonicalHandle(dst) || !('body' in fields)) return invalidRelay(dst, payload, 'invalid');
  const size = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (size > MAX_RELAY_PAYLOAD_BYTES) return invalidRelay(dst, payload, 'too_large');
  return { type: 'PW_RELAY', dst, id, body: fields.body, size };
}
