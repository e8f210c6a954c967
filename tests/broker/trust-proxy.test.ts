import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { trustProxyOption, type ProxyTrust } from '../../broker/proxy-trust';
import { PASSWORD, createAccount, startBroker, type TestBroker } from './helpers';

let broker: TestBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

/** What a client behind one proxy hop looks like: it writes any X-Forwarded-For, the proxy appends its address. */
const viaProxy = (clientAddress: string) => ({
  'content-type': 'application/json',
  'x-forwarded-for': `${spoofed()}, ${clientAddress}`,
});
const spoofed = () => `10.${randomBytes(3).join('.')}`;

const post = (path: string, body: unknown, clientAddress: string) =>
  fetch(`${broker!.url}${path}`, { method: 'POST', headers: viaProxy(clientAddress), body: JSON.stringify(body) });

// The test broker listens on 127.0.0.1, so these requests come from the simulated proxy at 127.0.0.1.
const oneProxy: Array<[string, ProxyTrust]> = [
  ['one hop (TRUST_PROXY=1)', { kind: 'hops', hops: 1 }],
  ['the proxy address (TRUST_PROXY=127.0.0.1)', { kind: 'addresses', addresses: ['127.0.0.1'] }],
];

describe('behind a reverse proxy', () => {
  it.each(oneProxy)('throttles failed sign-ins by the address the proxy saw, trusting %s', async (_name, trustProxy) => {
    broker = await startBroker({ trustProxy });
    await createAccount(broker.app, 'alice');
    for (let i = 0; i < 6; i++) {
      expect((await post('/api/sessions', { handle: 'alice', password: 'wrong password!' }, '203.0.113.7')).status).toBe(401);
    }
    const refused = await post('/api/sessions', { handle: 'alice', password: PASSWORD }, '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
    // Another client behind the same proxy is not affected.
    expect((await post('/api/sessions', { handle: 'alice', password: PASSWORD }, '198.51.100.9')).status).toBe(200);
  });

  it.each(oneProxy)('limits sign-ups by the address the proxy saw, trusting %s', async (_name, trustProxy) => {
    broker = await startBroker({ trustProxy, registerRateLimit: 3 });
    const signUp = (handle: string, clientAddress: string) => post('/api/accounts', { handle, password: PASSWORD }, clientAddress);
    for (const handle of ['u1', 'u2', 'u3']) expect((await signUp(handle, '203.0.113.7')).status).toBe(201);
    const refused = await signUp('u4', '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'too_many_accounts' } });
    expect((await signUp('u5', '198.51.100.9')).status).toBe(201);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    broker = await startBroker({ trustProxy: { kind: 'addresses', addresses: ['192.0.2.1'] }, registerRateLimit: 1 });
    expect((await post('/api/accounts', { handle: 'u1', password: PASSWORD }, '203.0.113.7')).status).toBe(201);
    expect((await post('/api/accounts', { handle: 'u2', password: PASSWORD }, '198.51.100.9')).status).toBe(429);
  });
});

describe('trustProxyOption', () => {
  it.each([
    ['127.0.0.1', 0, true],
    ['::ffff:127.0.0.1', 0, true], // how a dual-stack socket reports an IPv4 peer
    ['10.1.2.3', 1, true],
    ['::1', 0, true],
    ['203.0.113.7', 0, false],
    ['not an address', 0, false],
  ])('trusts %s at hop %i as a proxy listed as 127.0.0.0/8, 10.0.0.0/8, ::1: %s', (address, hop, trusted) => {
    const trust = trustProxyOption({ kind: 'addresses', addresses: ['127.0.0.0/8', '10.0.0.0/8', '::1'] });
    expect(trust !== false && trust(address, hop)).toBe(trusted);
  });

  it('trusts exactly the configured number of hops, whatever their addresses', () => {
    const trust = trustProxyOption({ kind: 'hops', hops: 2 });
    expect(trust !== false && [0, 1, 2].map((hop) => trust('203.0.113.7', hop))).toEqual([true, true, false]);
    expect(trustProxyOption({ kind: 'none' })).toBe(false);
  });
});
