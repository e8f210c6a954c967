import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../broker/login-throttle';
import { PASSWORD, RawPeer, account, bearer, errorMessage, ofType, startBroker, type TestBroker } from './helpers';
import { flushRedis, startRedis, untilBrokerWaitsOnPause } from '../support/redis-server';

// A password change that commits while a socket is between its token check and its admission (which waits
// on Redis) must still end that socket. Redis's CLIENT PAUSE WRITE holds the admission at that point.
const redis = await startRedis();
const client = new Redis(redis.url);
afterAll(async () => {
  client.disconnect();
  await redis.close();
});

let broker: TestBroker;
beforeEach(async () => {
  await flushRedis(redis.url);
  // Sign-in failures counted in memory, so the password change itself does not wait on the paused Redis.
  broker = await startBroker({ redisUrl: redis.url }, { throttle: createLoginThrottle() });
});
afterEach(async () => {
  await client.call('CLIENT', 'UNPAUSE');
  await broker.close();
});

describe('a socket admitted while its password changes', () => {
  it('is refused with auth_revoked instead of staying open with the old session', async () => {
    const token = await account(broker.app, 'alice');
    await client.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const alice = RawPeer.connect(broker.wsUrl('alice', token));
    try {
      await untilBrokerWaitsOnPause(client); // the token was checked; the socket waits on Redis to be admitted
      const response = await broker.app.inject({
        method: 'POST',
        url: '/api/accounts/me/password',
        headers: bearer(token),
        payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await client.call('CLIENT', 'UNPAUSE');
    }
    expect(errorMessage(await alice.next(ofType('ERROR')))).toMatch(/^auth_revoked: /);
    expect((await alice.closed).reason).toBe('auth_revoked');
  });
});
