import { toHex } from '../../core/bytes';
import { createIdentity, type Identity } from '../../core/identity';
import { createRelayMessage, type RelayMessage } from '../../core/relayMessage';
import { PASSWORD } from '../../tests/e2e/support/flows';
import { sleep } from '../../tests/e2e/support/wait';
import type { FriendSpec } from './simulated-friend';

/** A simulated friend as the harness knows it: what its page needs and the request it would have sent. */
export interface FriendAccount {
  spec: FriendSpec;
  /** A signed `friend-request` to the host, as `host:add-friend` would have sent it (docs/protocol.md §4.3). */
  request: RelayMessage;
}

const randomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));
/** Accounts made at once: the broker lets one address have HASH_QUEUE_PER_ADDRESS (4) hashing jobs waiting. */
const IN_FLIGHT = 4;

/** `POST path` with `handle`'s credentials, waiting out 429 and 503 as their Retry-After says. */
async function postCredentials(brokerUrl: string, path: string, handle: string): Promise<{ status: number; body: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${brokerUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle, password: PASSWORD }),
    });
    const body: unknown = await response.json().catch(() => null);
    if ((response.status !== 429 && response.status !== 503) || attempt >= 20) return { status: response.status, body };
    await sleep(Math.max(100, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
}

async function createFriend(brokerUrl: string, handle: string, host: string): Promise<FriendAccount> {
  const created = await postCredentials(brokerUrl, '/api/accounts', handle);
  if (created.status !== 201) throw new Error(`POST /api/accounts for @${handle} answered ${created.status} ${JSON.stringify(created.body)}`);
  const session = await postCredentials(brokerUrl, '/api/sessions', handle);
  const token = (session.body as { token?: unknown } | null)?.token;
  if (session.status !== 200 || typeof token !== 'string') throw new Error(`POST /api/sessions for @${handle} answered ${session.status}`);
  const identity: Identity = createIdentity(handle, randomBytes);
  const request = createRelayMessage(identity, 'friend-request', host, {}, { randomBytes, now: Date.now });
  if (!request.ok) throw new Error(`@${handle} could not sign a friend request: ${request.reason}`);
  return { spec: { handle, secretKey: toHex(identity.secretKey), publicKey: toHex(identity.publicKey), token }, request: request.value };
}

/** The handle of simulated friend `i` (0-based): `f001`, `f002`… — all sort after `alice`, so she dials first. */
export const friendHandle = (i: number): string => `f${String(i + 1).padStart(3, '0')}`;

/** Creates `count` accounts on the real broker (the API a popup uses), each with a session and an identity key. */
export async function createFriendAccounts(brokerUrl: string, count: number, host: string): Promise<FriendAccount[]> {
  const accounts: FriendAccount[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      accounts[i] = await createFriend(brokerUrl, friendHandle(i), host);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return accounts;
}
