import { isCanonicalHandle } from '@/core/handle';
import { parseBrokerUrl } from './broker-url';

/**
 * The signed-in session, version 1 of the `local:session` item.
 * `displaced` is set when the broker reports a newer sign-in of this handle elsewhere;
 * the peer then stays offline until the person signs in here again.
 */
export interface SessionV1 {
  handle: string;
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds, when this token was issued to us. */
  obtainedAt: number;
  brokerUrl: string;
  displaced: boolean;
}
export type Session = SessionV1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses an untrusted stored or received value into a session, or null. */
export function parseSession(value: unknown): Session | null {
  if (!isRecord(value)) return null;
  const { handle, token, expiresAt, obtainedAt, brokerUrl, displaced } = value;
  if (!isCanonicalHandle(handle)) return null;
  if (typeof token !== 'string' || token.length === 0 || token.length > 8192) return null;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null;
  if (typeof obtainedAt !== 'number' || !Number.isFinite(obtainedAt)) return null;
  if (typeof displaced !== 'boolean') return null;
  const url = parseBrokerUrl(brokerUrl);
  if (!url.ok || url.url !== brokerUrl) return null;
  return { handle, token, expiresAt, obtainedAt, brokerUrl, displaced };
}
