import { createRelayMessage, type RelayMessage, type RelayType } from '@/core/relayMessage';
import type { Identity, RandomBytes } from '@/core/identity';
import { relayFrame, type ClientFrame } from '@/core/signalling';
import { PeerwallError } from '../errors';
import type { RelayOutboxItemV2 } from '../content-db';
import type { SocialStore } from './social-store';
import type { Timers } from '../timers';

/** How long the broker keeps a relay for an offline receiver (docs/signalling.md). */
export const BROKER_KEEPS_MS = 7 * 24 * 60 * 60_000;
/** Waits before sending a relay the broker refused for now (rate_limited, queue_full) again. */
const RETRY_MS = [30_000, 60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000];

/** What a failed relay means to the person who sent it. */
export function relayProblem(to: string, type: RelayType, reason: string | null): string {
  const what = type === 'friend-request' ? 'your friend request' : type === 'friend-cancel' ? 'the withdrawal of your friend request' : 'your answer';
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
  store: SocialStore;
  identity: Identity;
  randomBytes: RandomBytes;
  now(): number;
  isOnline(): boolean;
  sendToBroker(frame: ClientFrame): void;
  timers: Timers;
  /** A number in [0, 1) for jitter. */
  random(): number;
}

/**
 * Signs friendship messages (docs/protocol.md §4.3) and keeps each in the persistent relay
 * outbox until the broker says it was delivered — a friend request until it is answered: the
 * broker's own queue lives in memory and is lost when it restarts, and a receiver may fail to
 * store a request, so what is kept is sent again on each reconnect.
 */
export function createRelaySender(deps: RelaySenderDeps) {
  /** Relays refused for now, by id: refusals in a row and the pending retry. */
  const retries = new Map<string, { count: number; timer: unknown }>();

  function transmit(item: RelayOutboxItemV2): void {
    if (deps.isOnline()) deps.sendToBroker(relayFrame(item.to, item.id, item.body));
  }

  /**
   * An answer the broker merely accepted (it cannot say whether the receiver got it) is kept and
   * sent again on reconnects while the broker could still be holding it; a friend request stays
   * until it is answered.
   */
  const expired = (item: RelayOutboxItemV2): boolean =>
    item.body.type !== 'friend-request' && item.status !== null && deps.now() - item.queuedAt > BROKER_KEEPS_MS;

  return {
    async send(type: RelayType, to: string, options: { replyTo?: string; note?: string } = {}): Promise<RelayMessage> {
      const made = createRelayMessage(deps.identity, type, to, options, { randomBytes: deps.randomBytes, now: deps.now });
      if (!made.ok) throw new PeerwallError('invalid_request', made.reason);
      const item: RelayOutboxItemV2 = { id: made.value.nonce, to, body: made.value, queuedAt: deps.now(), status: null };
      await deps.store.putRelayItem(item);
      transmit(item);
      return made.value;
    },
    /** Sends everything kept (after coming online), dropping answers the broker no longer holds. */
    async resendAll(): Promise<void> {
      for (const item of await deps.store.relayItems()) {
        if (expired(item)) await deps.store.deleteRelayItem(item.id);
        else transmit(item);
      }
    },
    /**
     * The broker refused `id` for now (too many relays, a full queue): send it again after a wait
     * that grows with each refusal in a row, rather than only at the next reconnect.
     */
    retryLater(id: string): number {
      const retry = retries.get(id) ?? { count: 0, timer: null };
      deps.timers.clearTimeout(retry.timer);
      const base = RETRY_MS[Math.min(retry.count, RETRY_MS.length - 1)] ?? 60_000;
      const delay = Math.round(base * (0.8 + 0.4 * deps.random()));
      retry.count += 1;
      retry.timer = deps.timers.setTimeout(() => {
        retry.timer = null;
        void deps.store.relayItem(id).then((item) => item && transmit(item), () => undefined);
      }, delay);
      retries.set(id, retry);
      return delay;
    },
    /** The broker took `id`: refusals in a row start over. */
    settled(id: string): void {
      deps.timers.clearTimeout(retries.get(id)?.timer);
      retries.delete(id);
    },
    /** Forgets what waits for `handle` (unfriend, block). */
    purge: (handle: string): Promise<void> => deps.store.purgeRelays(handle),
    stop(): void {
      for (const retry of retries.values()) deps.timers.clearTimeout(retry.timer);
      retries.clear();
    },
  };
}
export type RelaySender = ReturnType<typeof createRelaySender>;
