import { webcrypto } from 'node:crypto';
import { createIdentity, type Identity } from '../../../core/identity';
import { createRelayMessage } from '../../../core/relayMessage';
import { relayFrame } from '../../../core/signalling';
import { BrokerSocket } from './broker-socket';

const randomBytes = (length: number) => webcrypto.getRandomValues(new Uint8Array(length));

/**
 * `handle` — a new account on a client of its own, no browser — sends each of `to` a signed friend request over
 * the broker relay (docs/protocol.md §4.3) with `identity` (a new key unless given), as Peerwall does, and waits until the broker took each. Returns the
 * open socket; close it when the scene ends.
 */
export async function sendFriendRequests(
  brokerUrl: string,
  handle: string,
  to: string[],
  identity: Identity = createIdentity(handle, randomBytes),
): Promise<BrokerSocket> {
  const socket = await BrokerSocket.signIn(brokerUrl, handle, { create: true });
  for (const [index, recipient] of to.entries()) {
    const message = createRelayMessage(identity, 'friend-request', recipient, {}, { randomBytes, now: Date.now });
    if (!message.ok) throw new Error(`could not build @${handle}'s request to @${recipient}: ${message.reason}`);
    const id = `request-${index}`;
    socket.send(relayFrame(recipient, id, message.value));
    const status = await socket.waitForFrame(
      (frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id?: unknown } | undefined)?.id === id,
      `relay status of the request to @${recipient}`,
    );
    const answer = (status.payload as { status?: unknown }).status;
    if (answer === 'rejected') throw new Error(`the broker rejected @${handle}'s request to @${recipient}: ${JSON.stringify(status)}`);
  }
  return socket;
}
