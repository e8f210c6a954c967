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

function parseRelay(dst: unknown, payload: unknown): ClientMessage {
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const id = typeof fields.id === 'string' && fields.id.length >= 1 && fields.id.length <= 64 ? fields.id : undefined;
  const target = isCanonicalHandle(dst) ? dst : '';
  if (id === undefined || target === '' || !('body' in fields)) {
    return { type: 'PW_RELAY_INVALID', id: typeof fields.id === 'string' ? fields.id.slice(0, 64) : '', dst: target, reason: 'invalid' };
  }
  const size = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (size > MAX_RELAY_PAYLOAD_BYTES) return { type: 'PW_RELAY_INVALID', id, dst: target, reason: 'too_large' };
  return { type: 'PW_RELAY', dst: target, id, body: fields.body, size };
}
