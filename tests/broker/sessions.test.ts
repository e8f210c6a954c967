import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../broker/app';
import type { BrokerConfig } from '../../broker/config';
import { createWorkerHasher, type Hasher } from '../../broker/hasher';
import { createLoginThrottle } from '../../broker/login-throttle';
import { PASSWORD, account, bearer, createAccount, signIn, startBroker as startOn, type TestBroker } from './helpers';
import { storageBackends, type StorageBackend } from './storage-backends';

let broker: TestBroker;

afterEach(async () => {
  await broker.close();
});

const login = (handle: string, password: string, remoteAddress = '127.0.0.1') =>
  broker.app.inject({ method: 'POST', url: '/api/sessions', payload: { handle, password }, remoteAddress });

function claimsOf(token: string): Record<string, unknown> {
  const [header, payload] = token.split('.');
  expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  return JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
}

/** A real worker hasher that records which hash each verify compared against. */
function recordingHasher(): Hasher & { verified: string[] } {
  const inner = createWorkerHasher({ cost: 4, workers: 1, queueLimit: 16 });
  const verified: string[] = [];
  return {
    verified,
    hash: (password, client) => inner.hash(password, client),
    verify: (password, hash, client) => {
      verified.push(hash);
      return inner.verify(password, hash, client);
    },
    close: () => inner.close(),
  };
}

const backends = storageBackends();
let backend: StorageBackend = backends[0]!;
/** A broker like helpers' startBroker, on the storage backend under test. */
const startBroker = async (overrides: Partial<BrokerConfig> = {}, deps: AppDeps = {}): Promise<TestBroker> =>
  startOn({ ...(await backend.config()), ...overrides }, deps);

describe.each(backends)('on $name', (current) => {
  beforeAll(() => {
    backend = current;
  });

  describe('POST /api/sessions', () => {
    it('issues an HS256 token with handle, token version, session id and a 30-day lifetime', async () => {
      broker = await startBroker();
      await createAccount(broker.app, 'alice');
      const response = await login('@Alice', PASSWORD);
      expect(response.statusCode).toBe(200);
      const body = response.json() as { token: string; handle: string; expiresAt: string };
      expect(body.handle).toBe('alice');
      const claims = claimsOf(body.token);
      expect(claims).toMatchObject({ sub: 'alice', ver: 1 });
      expect(typeof claims.sid).toBe('string');
      const days = ((claims.exp as number) - Math.floor(Date.now() / 1000)) / 86_400;
      expect(days).toBeCloseTo(30, 1);
      expect(new Date(body.expiresAt).getTime()).toBe((claims.exp as number) * 1000);
    });

    it('gives byte-identical 401s for a wrong password, an unknown handle and a retired handle', async () => {
      broker = await startBroker();
      await createAccount(broker.app, 'alice');
      const token = await account(broker.app, 'gone');
      await broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(token), payload: { password: PASSWORD } });
      const answers = await Promise.all([
        login('alice', 'wrong password!'),
        login('nobody', PASSWORD),
        login('gone', PASSWORD),
        login('alice', PASSWORD + 'x'.repeat(60), '127.0.0.2'), // another address: one attempt per pair runs at a time
      ]);
      for (const answer of answers) {
        expect(answer.statusCode).toBe(401);
        expect(answer.body).toBe(answers[0]!.body);
      }
      expect(answers[0]!.json()).toEqual({
        error: { code: 'invalid_credentials', message: 'The handle or the password is not correct.' },
      });
    });

    it('checks unknown and retired handles against the dummy hash, so they cost one bcrypt comparison', async () => {
      const hasher = recordingHasher();
      broker = await startBroker({}, { hasher });
      await createAccount(broker.app, 'alice');
      await login('alice', 'wrong password!');
      await login('nobody', PASSWORD);
      const [aliceHash, dummyHash] = hasher.verified;
      expect(hasher.verified).toHaveLength(2);
      expect(dummyHash).toMatch(/^\$2[aby]\$04\$/);
      expect(dummyHash).not.toBe(aliceHash);
      const token = await signIn(broker.app, 'alice');
      await broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(token), payload: { password: PASSWORD } });
      await login('alice', PASSWORD);
      expect(hasher.verified.at(-1)).toBe(dummyHash);
    });

    it('throttles failures per handle and address with growing delays, without locking out other addresses', async () => {
      let now = 1_000_000;
      broker = await startBroker({}, { throttle: createLoginThrottle({ now: () => now }) });
      await createAccount(broker.app, 'alice');
      for (let i = 0; i < 5; i++) expect((await login('alice', 'wrong password!', '10.0.0.9')).statusCode).toBe(401);
      expect((await login('alice', 'wrong password!', '10.0.0.9')).statusCode).toBe(401);
      const first = await login('alice', PASSWORD, '10.0.0.9');
      expect(first.statusCode).toBe(429);
      expect(first.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
      expect(first.headers['retry-after']).toBe('1');
      // The owner, elsewhere, is not locked out.
      expect((await login('alice', PASSWORD, '10.0.0.1')).statusCode).toBe(200);
      now += 1_000;
      expect((await login('alice', 'wrong password!', '10.0.0.9')).statusCode).toBe(401);
      expect((await login('alice', PASSWORD, '10.0.0.9')).headers['retry-after']).toBe('2');
      now += 2_000;
      expect((await login('alice', PASSWORD, '10.0.0.9')).statusCode).toBe(200);
      // The success reset the count: five free failures again.
      for (let i = 0; i < 5; i++) expect((await login('alice', 'wrong password!', '10.0.0.9')).statusCode).toBe(401);
    });

    it('runs one attempt per handle and address at a time, so parallel guesses do not slip past the count', async () => {
      broker = await startBroker({ bcryptCost: 10 }); // each check takes long enough for the others to arrive meanwhile
      await createAccount(broker.app, 'alice');
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, () => login('alice', 'wrong password!', '10.0.0.9')),
        login('alice', 'wrong password!', '10.0.0.1'),
      ]);
      const fromNine = answers.slice(0, 3).map((answer) => answer.statusCode).sort();
      expect(fromNine).toEqual([401, 429, 429]);
      for (const refused of answers.slice(0, 3).filter((answer) => answer.statusCode === 429)) {
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
      }
      expect(answers[3]!.statusCode).toBe(401);
      // Once the attempt has settled the pair may try again.
      expect((await login('alice', PASSWORD, '10.0.0.9')).statusCode).toBe(200);
    });

    it('throttles one address guessing across many handles', async () => {
      const now = 1_000_000;
      broker = await startBroker({}, { throttle: createLoginThrottle({ now: () => now }) });
      for (let i = 0; i < 51; i++) await login(`user${i}`, 'wrong password!', '10.0.0.7');
      const response = await login('someone', PASSWORD, '10.0.0.7');
      expect(response.statusCode).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await login('someone', PASSWORD, '10.0.0.8')).statusCode).toBe(401);
    });

    it('answers 503 with Retry-After at once when the hashing pool and its queue are full', async () => {
      const hasher = createWorkerHasher({ cost: 11, workers: 1, queueLimit: 1 });
      broker = await startBroker({}, { hasher });
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => login(`user${i}`, PASSWORD, `10.0.0.${i}`)));
      const statuses = answers.map((answer) => answer.statusCode).sort();
      expect(statuses.filter((status) => status === 401)).toHaveLength(2);
      const busy = answers.filter((answer) => answer.statusCode === 503);
      expect(busy).toHaveLength(4);
      expect(busy[0]!.json()).toMatchObject({ error: { code: 'busy' } });
      expect(Number(busy[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('answers 429 rate_limited with Retry-After at once to an address over its share of the hashing pool', async () => {
      const hasher = createWorkerHasher({ cost: 11, workers: 1, queueLimit: 16, queueLimitPerClient: 1 });
      broker = await startBroker({}, { hasher });
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => login(`user${i}`, PASSWORD, '10.0.0.1')));
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([401, 401, 429, 429]);
      const refused = answers.find((answer) => answer.statusCode === 429)!;
      expect(refused.json()).toEqual({
        error: {
          code: 'rate_limited',
          message: `Too many sign-ins from your network at once. Try again in ${refused.headers['retry-after']} second${refused.headers['retry-after'] === '1' ? '' : 's'}.`,
        },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await login('user9', PASSWORD, '10.0.0.2')).statusCode).toBe(401);
    });
  });

  describe('POST /api/sessions/refresh', () => {
    it('returns a fresh token for the same session id', async () => {
      broker = await startBroker();
      const token = await account(broker.app, 'alice');
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // so the new token's iat differs
      const response = await broker.app.inject({ method: 'POST', url: '/api/sessions/refresh', headers: bearer(token) });
      expect(response.statusCode).toBe(200);
      const fresh = (response.json() as { token: string }).token;
      expect(fresh).not.toBe(token);
      expect(claimsOf(fresh).sid).toBe(claimsOf(token).sid);
      expect(claimsOf(fresh).sat).toBe(claimsOf(token).sat);
    });
  });

  describe('private routes', () => {
    const privateRoutes = [
      ['GET', '/api/handles/alice'],
      ['GET', '/api/ice-servers'],
      ['POST', '/api/sessions/refresh'],
      ['POST', '/api/accounts/me/password'],
      ['DELETE', '/api/accounts/me'],
    ] as const;

    it.each([
      ['no Authorization header', () => undefined, 'auth_missing'],
      ['a garbage token', () => 'Bearer abc.def.ghi', 'auth_invalid'],
      ['a token with another secret', () => `Bearer ${hs256({ sub: 'alice', ver: 1, sid: 's', sat: 1 }, 'y'.repeat(40))}`, 'auth_invalid'],
      ['an expired token', () => `Bearer ${hs256({ sub: 'alice', ver: 1, sid: 's', sat: 1, exp: 1000 })}`, 'auth_expired'],
      ['an alg none token', () => `Bearer ${none({ sub: 'alice', ver: 1, sid: 's', sat: 1 })}`, 'auth_invalid'],
      ['a token of an old version', () => `Bearer ${hs256({ sub: 'alice', ver: 0, sid: 's', sat: 1 })}`, 'auth_revoked'],
      ['a token without a session id', () => `Bearer ${hs256({ sub: 'alice', ver: 1, sat: 1 })}`, 'auth_invalid'],
    ])('answers %s with 401 on every private route', async (_name, header, code) => {
      broker = await startBroker();
      await createAccount(broker.app, 'alice');
      for (const [method, url] of privateRoutes) {
        const authorization = header();
        const response = await broker.app.inject({
          method,
          url,
          headers: authorization ? { authorization } : {},
          payload: method === 'GET' ? undefined : {},
        });
        expect(response.statusCode, `${method} ${url}`).toBe(401);
        expect(response.json()).toMatchObject({ error: { code } });
      }
    });
  });

  describe('GET /api/handles/:handle', () => {
    it.each([
      ['bob', 200, { handle: 'bob' }],
      ['@BOB', 200, { handle: 'bob' }],
      ['nobody', 404, { error: { code: 'unknown_handle' } }],
      ['gone', 410, { error: { code: 'handle_retired' } }],
      ['bad!', 400, { error: { code: 'invalid_handle' } }],
    ])('answers %s with %i', async (handle, status, body) => {
      broker = await startBroker();
      const token = await account(broker.app, 'alice');
      await createAccount(broker.app, 'bob');
      const gone = await account(broker.app, 'gone');
      await broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(gone), payload: { password: PASSWORD } });
      const response = await broker.app.inject({ method: 'GET', url: `/api/handles/${encodeURIComponent(handle)}`, headers: bearer(token) });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject(body);
    });
  });

  describe('password change and deletion', () => {
    it('changes the password, returns a fresh token and ends every older token', async () => {
      broker = await startBroker();
      await createAccount(broker.app, 'alice');
      const phone = await signIn(broker.app, 'alice');
      const laptop = await signIn(broker.app, 'alice');
      const response = await broker.app.inject({
        method: 'POST',
        url: '/api/accounts/me/password',
        headers: bearer(laptop),
        payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
      });
      expect(response.statusCode).toBe(200);
      const fresh = (response.json() as { token: string }).token;
      for (const old of [phone, laptop]) {
        const refused = await broker.app.inject({ method: 'GET', url: '/api/ice-servers', headers: bearer(old) });
        expect(refused.json()).toMatchObject({ error: { code: 'auth_revoked' } });
      }
      expect((await broker.app.inject({ method: 'GET', url: '/api/ice-servers', headers: bearer(fresh) })).statusCode).toBe(200);
      expect((await login('alice', PASSWORD)).statusCode).toBe(401);
      expect((await login('alice', 'a brand new secret')).statusCode).toBe(200);
    });

    it.each([
      ['a wrong current password', { currentPassword: 'not my password', newPassword: 'a brand new secret' }, 403, 'wrong_password'],
      ['a too short new password', { currentPassword: PASSWORD, newPassword: 'short' }, 400, 'invalid_password'],
      ['a missing field', { currentPassword: PASSWORD }, 400, 'invalid_request'],
    ])('refuses a password change with %s', async (_name, payload, status, code) => {
      broker = await startBroker();
      const token = await account(broker.app, 'alice');
      const response = await broker.app.inject({ method: 'POST', url: '/api/accounts/me/password', headers: bearer(token), payload });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ error: { code } });
      expect((await login('alice', PASSWORD)).statusCode).toBe(200);
    });

    it('answers a password change that loses a race with deletion with 401 auth_revoked, not 500', async () => {
      const inner = createWorkerHasher({ cost: 4, workers: 1, queueLimit: 16 });
      let hashingNew!: () => void;
      const hashing = new Promise<void>((resolve) => (hashingNew = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const hasher: Hasher = {
        async hash(password, client) {
          if (password === 'a brand new secret') {
            hashingNew();
            await released;
          }
          return inner.hash(password, client);
        },
        verify: (password, hash, client) => inner.verify(password, hash, client),
        close: () => inner.close(),
      };
      broker = await startBroker({}, { hasher });
      const token = await account(broker.app, 'alice');
      const change = broker.app.inject({
        method: 'POST',
        url: '/api/accounts/me/password',
        headers: bearer(token),
        payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
      });
      await hashing;
      const deleted = await broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(token), payload: { password: PASSWORD } });
      expect(deleted.statusCode).toBe(204);
      release();
      const response = await change;
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'auth_revoked' } });
    });

    it('deletes only with the right password, then ends every token', async () => {
      broker = await startBroker();
      const token = await account(broker.app, 'alice');
      const del = (password: string) =>
        broker.app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: bearer(token), payload: { password } });
      expect((await del('not my password')).statusCode).toBe(403);
      expect((await del(PASSWORD)).statusCode).toBe(204);
      const after = await broker.app.inject({ method: 'GET', url: '/api/ice-servers', headers: bearer(token) });
      expect(after.json()).toMatchObject({ error: { code: 'auth_revoked' } });
    });
  });

  describe('GET /api/ice-servers', () => {
    it('returns the STUN servers and time-limited TURN credentials in the coturn scheme', async () => {
      broker = await startBroker({
        stunUrls: ['stun:stun.example:3478'],
        turnUrls: ['turn:turn.example:3478?transport=udp'],
        turnSecret: 't'.repeat(32),
        turnTtlSeconds: 3600,
      });
      const token = await account(broker.app, 'alice');
      const response = await broker.app.inject({ method: 'GET', url: '/api/ice-servers', headers: bearer(token) });
      const { iceServers } = response.json() as { iceServers: Array<{ urls: string[]; username?: string; credential?: string }> };
      expect(iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
      const turn = iceServers[1]!;
      const [expiry, handle] = turn.username!.split(':');
      expect(handle).toBe('alice');
      expect(Number(expiry) - Date.now() / 1000).toBeCloseTo(3600, -1);
      expect(turn.credential).toBe(createHmac('sha1', 't'.repeat(32)).update(turn.username!).digest('base64'));
    });
  });
});

function secretOf(): string {
  return readFileSync(join(broker.config.dataDir, 'jwt-secret'), 'utf8').trim();
}

function hs256(claims: Record<string, unknown>, secret = secretOf()): string {
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function none(claims: Record<string, unknown>): string {
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}.`;
}

function part(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
