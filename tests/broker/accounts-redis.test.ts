import { afterAll, beforeEach } from 'vitest';
import { useRedisForBrokers } from './helpers';
import { flushRedis, startRedis } from '../support/redis-server';

// The accounts suite again (sign-up limits, password checks), with its counts kept in Redis.
const redis = await startRedis();
useRedisForBrokers(redis.url);
beforeEach(() => flushRedis(redis.url));
afterAll(() => redis.close());

await import('./accounts.test');
