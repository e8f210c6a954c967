import { afterAll, beforeEach } from 'vitest';
import { useRedisForBrokers } from './helpers';
import { flushRedis, startRedis } from '../support/redis-server';

// The sessions and throttling suite again, with sign-in throttling and sign-up limits counted in Redis.
const redis = await startRedis();
useRedisForBrokers(redis.url);
beforeEach(() => flushRedis(redis.url));
afterAll(() => redis.close());

await import('./sessions.test');
