import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CANONICAL_HANDLE_SOURCE } from '@/core/handle';
import { parseBrokerUrl } from './broker-url';

/**
 * The signed-in session, version 1 of the `local:session` item.
 * `displaced` is set when the broker reports a newer sign-in of this handle elsewhere;
 * the peer then stays offline until the person signs in here again.
 */
export const SessionSchema = Type.Object({
  handle: Type.String({ pattern: CANONICAL_HANDLE_SOURCE }),
  token: Type.String({ minLength: 1, maxLength: 8192 }),
  /** Epoch milliseconds. */
  expiresAt: Type.Number(),
  /** Epoch milliseconds, when this token was issued to us. */
  obtainedAt: Type.Number(),
  brokerUrl: Type.String({ maxLength: 2048 }),
  displaced: Type.Boolean(),
});
export type SessionV1 = Static<typeof SessionSchema>;
export type Session = SessionV1;

/** Parses an untrusted stored or received value into a session (its Broker URL in canonical form), or null. */
export function parseSession(value: unknown): Session | null {
  if (!Value.Check(SessionSchema, value)) return null;
  if (!Number.isFinite(value.expiresAt) || !Number.isFinite(value.obtainedAt)) return null;
  const url = parseBrokerUrl(value.brokerUrl);
  if (!url.ok || url.url !== value.brokerUrl) return null;
  const { handle, token, expiresAt, obtainedAt, brokerUrl, displaced } = value;
  return { handle, token, expiresAt, obtainedAt, brokerUrl, displaced };
}
