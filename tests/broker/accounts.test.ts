import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../broker/app';
import type { BrokerConfig } from '../../broker/config';
import { HANDLE_RULE } from '../../core/handle';
import { PASSWORD, account, bearer, createAccount, startBroker as startOn, type TestBroker } from './helpers';
import { storageBackends, type StorageBackend } from './storage-backends';

const backends = storageBackends();
let backend: StorageBackend = backends[0]!;
/** A broker like helpers' startBroker, on the storage backend under test. */
const startBroker = async (overrides: Partial<BrokerConfig> = {}, deps: AppDeps = {}): Promise<TestBroker> =>
  startOn({ ...(await backend.config()), ...overrides }, deps);

let broker: TestBroker;

beforeEach(async () => {
  broker = await startBroker();
});

afterEach(async () => {
  await broker.close();
});

const register = (payload: unknown, headers: Record<string, string> = {}) =>
  broker.app.inject({ method: 'POST', url: '/api/accounts', payload: payload as object, headers });

describe.each(backends)('on $name', (current) => {
  beforeAll(() => {
    backend = current;
  });
  afterAll(() => {
    backend = backends[0]!; // the routes below need no second run
  });

  describe('POST /api/accounts', () => {
    it.each([
      ['alice', 'alice'],
      ['@Alice', 'alice'],
      ['  @BOB_1  ', 'bob_1'],
      ['a_b_c_d_e_f_g_h', 'a_b_c_d_e_f_g_h'],
    ])('registers %j as the canonical handle %j', async (handle, canonical) => {
      const response = await register({ handle, password: PASSWORD });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ handle: canonical });
    });

    it.each([[''], ['_bob'], ['bob_'], ['bo__b'], ['ｂｏｂ'], ['\u212a'], ['a'.repeat(16)], ['bob!'], ['\u00a0bob']])(
      'rejects the handle %j with invalid_handle stating the rule',
      async (handle) => {
        const response = await register({ handle, password: PASSWORD });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: { code: 'invalid_handle', message: HANDLE_RULE } });
      },
    );

    it.each([
      ['9 characters', 'abcdefghi'],
      ['9 code points in more UTF-16 units', '😀😀😀😀😀😀😀😀😀'],
      ['73 bytes', 'a'.repeat(73)],
      ['73 bytes of accented letters', 'é'.repeat(36) + 'a'],
    ])('rejects a password of %s with invalid_password', async (_name, password) => {
      const response = await register({ handle: 'alice', password });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_password' } });
    });

    it.each([
      ['10 characters', 'abcdefghij'],
      ['72 bytes', 'a'.repeat(72)],
      ['72 bytes of accented letters', 'é'.repeat(36)],
    ])('accepts a password of %s', async (_name, password) => {
      expect((await register({ handle: 'alice', password })).statusCode).toBe(201);
    });

    it('rejects a handle taken in another case with handle_taken', async () => {
      await createAccount(broker.app, 'alice');
      const response = await register({ handle: '@ALICE', password: PASSWORD });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ error: { code: 'handle_taken' } });
    });

    it('never re-issues a retired handle', async () => {
      const token = await account(broker.app, 'alice');
      const deleted = await broker.app.inject({
        method: 'DELETE',
        url: '/api/accounts/me',
        headers: bearer(token),
        payload: { password: PASSWORD },
      });
      expect(deleted.statusCode).toBe(204);
      for (const handle of ['alice', '@ALICE', ' Alice ']) {
        const again = await register({ handle, password: PASSWORD });
        expect(again.statusCode).toBe(409);
        expect(again.json()).toMatchObject({ error: { code: 'handle_taken' } });
      }
    });

    it('limits new accounts per address per hour with 429 and Retry-After', async () => {
      await broker.close();
      broker = await startBroker({ registerRateLimit: 2 });
      const from = (address: string) => ({ handle: `u${Math.random().toString(36).slice(2, 10)}`, password: PASSWORD, address });
      const send = ({ handle, password, address }: ReturnType<typeof from>) =>
        broker.app.inject({ method: 'POST', url: '/api/accounts', payload: { handle, password }, remoteAddress: address });
      expect((await send(from('10.0.0.1'))).statusCode).toBe(201);
      expect((await send(from('10.0.0.1'))).statusCode).toBe(201);
      const limited = await send(from('10.0.0.1'));
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
      expect((await send(from('10.0.0.2'))).statusCode).toBe(201);
    });

    it('counts parallel sign-ups from one address against the limit before hashing', async () => {
      await broker.close();
      // Room for all sixteen in the hashing queue, so only the sign-up limit can refuse them.
      broker = await startBroker({ registerRateLimit: 5, bcryptCost: 8, hashQueuePerAddress: 16 });
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          fetch(`${broker.url}/api/accounts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ handle: `user${i}`, password: PASSWORD }),
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(11);
      const refused = answers.find((answer) => answer.status === 429)!;
      expect(await refused.json()).toMatchObject({ error: { code: 'too_many_accounts' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    });

    it('gives the place back when a sign-up ends without an account', async () => {
      await broker.close();
      broker = await startBroker({ registerRateLimit: 2, bcryptCost: 8 });
      // Both pass the "taken?" check, then one loses the insert to the other.
      const race = await Promise.all([register({ handle: 'alice', password: PASSWORD }), register({ handle: 'alice', password: PASSWORD })]);
      expect(race.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
      expect((await register({ handle: 'bob', password: PASSWORD })).statusCode).toBe(201);
      expect((await register({ handle: 'carol', password: PASSWORD })).statusCode).toBe(429);
    });

    it.each([
      ['malformed JSON', '{"handle":', 'application/json', 400, 'invalid_request'],
      ['an empty body', '', 'application/json', 400, 'invalid_request'],
      ['a JSON array', '[]', 'application/json', 400, 'invalid_request'],
      ['a missing password', '{"handle":"alice"}', 'application/json', 400, 'invalid_request'],
      ['a numeric handle', '{"handle":12345,"password":"correct horse battery"}', 'application/json', 400, 'invalid_request'],
      ['a body over 16 KiB', JSON.stringify({ handle: 'alice', password: 'x'.repeat(17_000) }), 'application/json', 413, 'body_too_large'],
      ['a form body', 'handle=alice', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ])('answers %s with %i %s', async (_name, body, contentType, status, code) => {
      const response = await broker.app.inject({
        method: 'POST',
        url: '/api/accounts',
        body,
        headers: { 'content-type': contentType },
      });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ error: { code } });
      expect(typeof (response.json() as { error: { message: unknown } }).error.message).toBe('string');
    });
  });
});

describe('other routes', () => {
  it('answers GET /health with its account store up', async () => {
    const response = await fetch(`${broker.url}/health`);
    expect(response.status).toBe(200);
    const redis = broker.config.redisUrl === undefined ? {} : { redis: 'up' };
    expect(await response.json()).toEqual({ status: 'ok', accounts: 'up', ...redis });
  });

  it('answers unknown routes with a 404 error body', async () => {
    const response = await broker.app.inject({ method: 'GET', url: '/nope?token=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'There is no GET /nope here.' } });
  });

  it.each([
    ['a URL it cannot decode', '/api/handles/%E0%A4%A'],
    ['a path parameter over 100 characters', `/api/handles/${'a'.repeat(101)}`],
  ])('answers %s with 400 in the error shape', async (_name, url) => {
    const response = await broker.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'invalid_request', message: 'The request URL is not valid.' } });
  });

  it('adds no PeerJS routes of its own', async () => {
    for (const url of ['/peerjs', '/peerjs/id', '/peerjs/peers']) {
      expect((await broker.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });
});

describe('CORS', () => {
  it.each([
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', true],
    ['moz-extension://4b2c7d1e-9f0a-4c3b-8e6d-1a2b3c4d5e6f', true],
    ['https://peerwall.example', true],
    ['https://evil.example', false],
    ['null', false],
    ['chrome-extension://abc/../evil', false],
  ])('for the origin %s allows: %s', async (origin, allowed) => {
    await broker.close();
    broker = await startBroker({ corsOrigins: ['https://peerwall.example'] });
    const response = await broker.app.inject({
      method: 'OPTIONS',
      url: '/api/sessions',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.headers['access-control-allow-origin']).toBe(allowed ? origin : undefined);
    const plain = await broker.app.inject({ method: 'GET', url: '/health', headers: { origin } });
    expect(plain.headers['access-control-allow-origin']).toBe(allowed ? origin : undefined);
  });
});
