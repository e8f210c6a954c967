import { ByteWriter, codePointLength, fromHex, toHex } from './bytes';
import { isCanonicalHandle } from './handle';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import { type Result, fail, ok } from './result';
import { CONTEXT, sign, verify } from './signing';

/**
 * Friendship messages carried as the `body` of a broker `PW_RELAY` (docs/protocol.md §4.3,
 * docs/signalling.md). JSON on the wire because the relay carries JSON; the signature covers a
 * canonical binary encoding of the fields, never the JSON text.
 */
// Appended only: the index is signed (typeIndex), so an older peer reads a new type as unknown and drops it.
// `recover-request` (version 5, §8): "I lost my key; this is my new one", signed by the new key.
export const RELAY_TYPES = ['friend-request', 'friend-accept', 'friend-decline', 'unfriend', 'friend-cancel', 'recover-request'] as const;
export type RelayType = (typeof RELAY_TYPES)[number];

export type RelayMessage = {
  v: 1;
  type: RelayType;
  from: string;
  to: string;
  /** The sender's current identity key (64 hex). */
  key: string;
  /** 16 random bytes (32 hex) naming this message; replies carry it in `replyTo`. */
  nonce: string;
  replyTo: string | null;
  at: number;
  note: string;
  /** Ed25519 signature (128 hex) by `key` over the encoding of every other field. */
  sig: string;
};

type Unsigned = Omit<RelayMessage, 'sig'>;

function signedBytes(m: Unsigned, key: Uint8Array, nonce: Uint8Array, replyTo: Uint8Array | null): Uint8Array {
  return new ByteWriter()
    .u8(m.v)
    .u8(RELAY_TYPES.indexOf(m.type))
    .text(m.from)
    .text(m.to)
    .fixed(key, 32)
    .fixed(nonce, 16)
    .option(replyTo, (w, r) => w.fixed(r, 16))
    .u64(m.at)
    .text(m.note)
    .finish();
}

export function createRelayMessage(
  identity: Identity,
  type: RelayType,
  to: string,
  options: { replyTo?: string; note?: string },
  deps: { randomBytes: RandomBytes; now: () => number },
): Result<RelayMessage> {
  const note = options.note ?? '';
  if (codePointLength(note) > LIMITS.friendNoteChars) return fail(`The note can be at most ${LIMITS.friendNoteChars} characters.`);
  const replyTo = options.replyTo === undefined ? null : fromHex(options.replyTo, 16);
  if (options.replyTo !== undefined && !replyTo) return fail('The reply refers to an unknown request.');
  const nonce = deps.randomBytes(16);
  const unsigned: Unsigned = {
    v: 1,
    type,
    from: identity.handle,
    to,
    key: toHex(identity.publicKey),
    nonce: toHex(nonce),
    replyTo: options.replyTo ?? null,
    at: deps.now(),
    note,
  };
  const sig = sign(CONTEXT.relay, signedBytes(unsigned, identity.publicKey, nonce, replyTo), identity.secretKey);
  return ok({ ...unsigned, sig: toHex(sig) });
}

const FIELDS = ['v', 'type', 'from', 'to', 'key', 'nonce', 'replyTo', 'at', 'note', 'sig'];

/**
 * Checks a relayed body: exact shape, `from` equal to the broker-authenticated sender `src`,
 * `to` equal to this user, and a valid signature by the key it carries. (For `unfriend` the
 * caller must also check that key against the pinned one.)
 */
export function parseRelayMessage(body: unknown, src: string, me: string): Result<RelayMessage> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('not a Peerwall message');
  const o = body as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== FIELDS.length || !FIELDS.every((f) => keys.includes(f))) return fail('unexpected fields');
  if (o.v !== 1) return fail(typeof o.v === 'number' ? `unsupported relay version ${o.v}` : 'missing relay version');
  if (typeof o.type !== 'string' || !(RELAY_TYPES as readonly string[]).includes(o.type)) return fail('unknown message type');
  if (!isCanonicalHandle(o.from) || o.from !== src) return fail('the sender does not match the relay');
  if (!isCanonicalHandle(o.to) || o.to !== me) return fail('the message is for someone else');
  const key = fromHex(o.key, 32);
  const nonce = fromHex(o.nonce, 16);
  const replyTo = o.replyTo === null ? null : fromHex(o.replyTo, 16);
  const sig = fromHex(o.sig, 64);
  if (!key || !nonce || !sig || (o.replyTo !== null && !replyTo)) return fail('malformed key, nonce or signature');
  if (typeof o.at !== 'number' || !Number.isSafeInteger(o.at) || o.at < 0) return fail('malformed time');
  if (typeof o.note !== 'string' || codePointLength(o.note) > LIMITS.friendNoteChars) return fail('the note is too long');
  const m = o as unknown as RelayMessage;
  const needsReply = m.type === 'friend-accept' || m.type === 'friend-decline' || m.type === 'friend-cancel';
  if (needsReply !== (m.replyTo !== null)) return fail(needsReply ? 'a reply must name the request' : 'only replies name a request');
  let payload: Uint8Array;
  try {
    payload = signedBytes(m, key, nonce, replyTo);
  } catch {
    return fail('unencodable message');
  }
  if (!verify(CONTEXT.relay, payload, sig, key)) return fail('the signature is invalid');
  return ok({ v: 1, type: m.type, from: m.from, to: m.to, key: m.key, nonce: m.nonce, replyTo: m.replyTo, at: m.at, note: m.note, sig: m.sig });
}
