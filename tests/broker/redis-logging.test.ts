import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../broker/log';
import { RawPeer, account, ofType, startBroker } from './helpers';
import { startRedis, type TestRedis } from '../support/redis-server';

const PASSWORD = 'redis-pass-7f3a9c';
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
  const admin = new Redis(redis.url);
  await admin.config('SET', 'requirepass', PASSWORD);
  admin.disconnect();
});
afterAll(async () => {
  await redis.close();
});

describe('a broker on a Redis with a password', () => {
  it('never logs the password, at trace level, also when Redis goes away and comes back', async () => {
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const broker = await startBroker({ redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` }, { logger: loggerOptions('trace', stream) });
    try {
      const peer = RawPeer.connect(broker.wsUrl('alice', await account(broker.app, 'alice')));
      await peer.next(ofType('OPEN'));
      await redis.stop();
      await expect.poll(() => log.includes('Redis is unavailable'), { timeout: 5_000 }).toBe(true);
      await redis.start();
      const admin = new Redis(redis.url);
      await admin.config('SET', 'requirepass', PASSWORD);
      admin.disconnect();
      await expect.poll(() => log.includes('Redis is back'), { timeout: 10_000 }).toBe(true);
      peer.close();
    } finally {
      await broker.close();
    }
    expect(log).toContain('redis://:[redacted]@127.0.0.1');
    expect(log).not.toContain(PASSWORD);
  });
});
