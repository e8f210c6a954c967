import { createRelayMessage, type RelayMessage, type RelayType } from '@/core/relayMessage';
import type { Identity, RandomBytes } from '@/core/identity';
import { relayFrame, type ClientFrame } from '@/core/signalling';
import { PeerwallError } from '../errors';
import type { RelayOutboxItemV2 } from '../content-db';
import type { SocialStore } from './social-store';

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
  store: SocialStore;
  identity: Identity;
  randomBytes: RandomBytes;
  now(): number;
  isOnline(): boolean;
  sendToBroker(frame: ClientFrame): void;
}

/**
 * Signs friendship messages (docs/protocol.md §4.3) and keeps each in the persistent relay
 * outbox until the broker says it was delivered — a friend request until it is answered: the
 * broker's own queue lives in memory and is lost when it restarts, and a receiver may fail to
 * store a request, so what is kept is sent again on each reconnect.
 */
export function createRelaySender(deps: RelaySenderDeps) {
  function transmit(item: RelayOutboxItemV2): void {
    if (deps.isOnline()) deps.sendToBroker(relayFrame(item.to, item.id, item.body));
  }

  return {
    async send(type: RelayType, to: string, options: { replyTo?: string; note?: string } = {}): Promise<RelayMessage> {
      const made = createRelayMessage(deps.identity, type, to, options, { randomBytes: deps.randomBytes, now: deps.now });
      if (!made.ok) throw new PeerwallError('invalid_request', made.reason);
      const item: RelayOutboxItemV2 = { id: made.value.nonce, to, body: made.value, queuedAt: deps.now(), status: null };
      await deps.store.putRelayItem(item);
      transmit(item);
      return made.value;
    },
    /** Sends everything kept (after coming online). */
    async resendAll(): Promise<void> {
      for (const item of await deps.store.relayItems()) transmit(item);
    },
    /** Forgets what waits for `handle` (unfriend, block). */
    purge: (handle: string): Promise<void> => deps.store.purgeRelays(handle),
  };
}
export type RelaySender = ReturnType<typeof createRelaySender>;
