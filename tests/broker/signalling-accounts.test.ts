import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, RawPeer, account, bearer, errorMessage, ofType, signIn, startBroker, type TestBroker } from './helpers';
import { storageBackends } from './storage-backends';

const backends = storageBackends();
let broker: TestBroker | undefined;
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await broker?.close();
  broker = undefined;
});

function connect(id: string, token: string): RawPeer {
  const peer = RawPeer.connect(broker!.wsUrl(id, token));
  peers.push(peer);
  return peer;
}

const relayStatus = (peer: RawPeer, id: string) =>
  peer.next((frame) => frame.type === 'PW_RELAY_STATUS' && (frame.payload as { id: string }).id === id);

/** Where signalling reads accounts: the token check on connect and the handle check of a relay. */
describe.each(backends)('signalling on $name accounts', (backend) => {
  it('opens a socket for a current token and refuses it once the password has changed', async () => {
    broker = await startBroker(await backend.config());
    const token = await account(broker.app, 'alice');
    const first = connect('alice', token);
    await first.opened();
    const changed = await broker.app.inject({
      method: 'POST',
      url: '/api/accounts/me/password',
      headers: bearer(token),
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
    });
    expect(changed.statusCode).toBe(200);
    expect(errorMessage(await first.next(ofType('ERROR')))).toMatch(/^auth_revoked: /);
    const again = connect('alice', token);
    expect(errorMessage(await again.next(ofType('ERROR')))).toMatch(/^auth_revoked: /);
    const fresh = connect('alice', (changed.json() as { token: string }).token);
    await fresh.opened();
  });

  it('answers relays to unknown and retired handles with unknown_handle, in the order they were sent', async () => {
    broker = await startBroker(await backend.config());
    const alice = connect('alice', await account(broker.app, 'alice'));
    await alice.opened();
    const gone = await account(broker.app, 'gone');
    await broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(gone), payload: { password: PASSWORD } });
    await account(broker.app, 'bob');
    for (const [id, dst] of [['1', 'nobody'], ['2', 'gone'], ['3', 'bob'], ['4', 'alice']]) {
      alice.send({ type: 'PW_RELAY', dst, payload: { id, body: 'hi' } });
    }
    await relayStatus(alice, '4');
    const statuses = alice.frames.filter(ofType('PW_RELAY_STATUS')).map((frame) => frame.payload);
    expect(statuses).toEqual([
      { id: '1', dst: 'nobody', status: 'rejected', reason: 'unknown_handle' },
      { id: '2', dst: 'gone', status: 'rejected', reason: 'unknown_handle' },
      { id: '3', dst: 'bob', status: 'accepted' },
      { id: '4', dst: 'alice', status: 'rejected', reason: 'invalid' },
    ]);
  });

  it('admits no socket that closed while its token was being checked', async () => {
    broker = await startBroker(await backend.config());
    await account(broker.app, 'alice');
    const tokens = [];
    for (let i = 0; i < 10; i++) tokens.push(await signIn(broker.app, 'alice'));
    await Promise.all(
      tokens.map(
        (token) =>
          new Promise<void>((resolve) => {
            const socket = new WebSocket(broker!.wsUrl('alice', token));
            socket.on('upgrade', () => socket.terminate());
            socket.on('error', () => undefined);
            socket.on('close', () => resolve());
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(broker.app.signalling.size).toBe(0);
  });
});
