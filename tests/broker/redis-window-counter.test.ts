import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisWindowCounter } from '../../broker/redis/window-counter';
import { startRedis, type TestRedis } from '../support/redis-server';

describe('window counter in Redis: take', () => {
  let server: TestRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('lets exactly `limit` of many parallel takes through, and a given-back one frees its place', async () => {
    const counter = createRedisWindowCounter(redis, { name: 'take-test', limit: 5, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => counter.take('10.0.0.1')));
    const passed = results.filter((r) => r.ok);
    expect(passed).toHaveLength(5);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.retryAfter > 0 && r.retryAfter <= 60)).toBe(true);
    const one = passed[0]!;
    if (one.ok) one.giveBack();
    await new Promise((r) => setTimeout(r, 50)); // the give-back is sent without waiting
    expect((await counter.take('10.0.0.1')).ok).toBe(true);
    expect((await counter.take('10.0.0.1')).ok).toBe(false);
  });
});
