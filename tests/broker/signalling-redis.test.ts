import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, useRedisForBrokers } from './helpers';
import { flushRedis, startRedis } from '../support/redis-server';

// The whole signalling suite again, with the broker keeping its shared state in Redis (REDIS_URL): one node
// must behave exactly as one process does.
const redis = await startRedis();
useRedisForBrokers(redis.url);
beforeEach(() => flushRedis(redis.url));
afterAll(() => redis.close());

await import('./signalling.test');

describe('the brokers of this suite', () => {
  it('keep their state in the test Redis', async () => {
    const broker = await startBroker();
    const client = new Redis(redis.url);
    try {
      expect((await client.smembers('pw:nodes')).length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      await broker.close();
    }
  });
});
