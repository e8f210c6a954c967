import { createRelayMessage, type RelayMessage, type RelayType } from '@/core/relayMessage';
import type { Identity, RandomBytes } from '@/core/identity';
import { PeerwallError } from '../errors';
import type { BrokerFrame } from '../peer-host/peer-port';
import type { ContentDb, RelayOutboxItemV2 } from '../content-db';

export interface RelayStatus {
  id: string;
  status: 'delivered' | 'queued' | 'rejected';
  reason: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `PW_RELAY_STATUS` from the broker (docs/signalling.md), or null when malformed. */
export function parseRelayStatus(message: Record<string, unknown>): RelayStatus | null {
  const payload = message.payload;
  if (!isRecord(payload) || typeof payload.id !== 'string' || payload.id.length > 64) return null;
  if (payload.status !== 'delivered' && payload.status !== 'queued' && payload.status !== 'rejected') return null;
  return { id: payload.id, status: payload.status, reason: typeof payload.reason === 'string' ? payload.reason.slice(0, 32) : null };
}

/** `PW_RELAY` from the broker: the authenticated sender and the untrusted body. */
export function parseIncomingRelay(message: Record<string, unknown>): { src: string; body: unknown } | null {
  const payload = message.payload;
  if (typeof message.src !== 'string' || message.src.length > 64 || !isRecord(payload)) return null;
  return { src: message.src, body: payload.body };
}

/** `PW_PRESENCE`: handles that came online or went offline. */
export function parsePresence(message: Record<string, unknown>): { online: string[]; offline: string[] } | null {
  const payload = message.payload;
  if (!isRecord(payload)) return null;
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((h): h is string => typeof h === 'string' && h.length <= 64).slice(0, 5000) : [];
  return { online: list(payload.online), offline: list(payload.offline) };
}

/** What a failed relay means to the person who sent it. */
export function relayProblem(to: string, type: RelayType, reason: string | null): string {
  const what = type === 'friend-request' ? 'your friend request' : 'your answer';
  switch (reason) {
    case 'unknown_handle':
      return `Could not send ${what} to @${to}: nobody has that handle (or their account was deleted).`;
    case 'too_large':
    case 'invalid':
      return `Could not send ${what} to @${to}: the broker refused it.`;
    default:
      return `Could not send ${what} to @${to} yet; Peerwall tries again later.`;
  }
}

/** A broker refusal that no retry can fix. */
export const isFinalRejection = (reason: string | null): boolean =>
  reason === 'unknown_handle' || reason === 'too_large' || reason === 'invalid';

export interface RelaySenderDeps {
  db: ContentDb;
  identity: Identity;
  randomBytes: RandomBytes;
  now(): number;
  isOnline(): boolean;
  sendToBroker(frame: BrokerFrame): void;
}

/**
 * Signs friendship messages (docs/protocol.md §4.3) and keeps each in the persistent relay
 * outbox until the broker says it was delivered — a friend request until it is answered: the
 * broker's own queue lives in memory and is lost when it restarts, and a receiver may fail to
 * store a request, so what is kept is sent again on each reconnect.
 */
export function createRelaySender(deps: RelaySenderDeps) {
  function transmit(item: RelayOutboxItemV2): void {
    if (deps.isOnline()) deps.sendToBroker({ type: 'PW_RELAY', dst: item.to, payload: { id: item.id, body: item.body } });
  }

  return {
    async send(type: RelayType, to: string, options: { replyTo?: string; note?: string } = {}): Promise<RelayMessage> {
      const made = createRelayMessage(deps.identity, type, to, options, { randomBytes: deps.randomBytes, now: deps.now });
      if (!made.ok) throw new PeerwallError('invalid_request', made.reason);
      const item: RelayOutboxItemV2 = { id: made.value.nonce, to, body: made.value, queuedAt: deps.now(), status: null };
      await deps.db.put('relayOutbox', item);
      transmit(item);
      return made.value;
    },
    /** Sends everything kept (after coming online). */
    async resendAll(): Promise<void> {
      for (const item of await deps.db.getAll('relayOutbox')) transmit(item);
    },
    /** Forgets what waits for `handle` (unfriend, block). */
    async purge(handle: string): Promise<void> {
      const tx = deps.db.transaction('relayOutbox', 'readwrite');
      for (const item of await tx.store.getAll()) if (item.to === handle) await tx.store.delete(item.id);
      await tx.done;
    },
  };
}
export type RelaySender = ReturnType<typeof createRelaySender>;
