import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthProbe } from '../../broker/health';
import { startBroker, type TestBroker } from './helpers';
import { startPostgres, type PostgresServer } from '../support/postgres-server';
import { startRedis, type TestRedis } from '../support/redis-server';

let postgres: PostgresServer;
let redis: TestRedis;
let broker: TestBroker;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  broker = await startBroker({ databaseUrl: await postgres.freshDatabase(), redisUrl: redis.url });
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await Promise.all([postgres?.destroy(), redis?.close()]);
});

async function health(): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${broker.url}/health`);
  return { status: response.status, body: await response.json() };
}

const ok = { status: 200, body: { status: 'ok', accounts: 'up', redis: 'up' } };

describe('GET /health on a node with PostgreSQL and Redis', () => {
  it('answers 503 with accounts down while PostgreSQL is stopped, and 200 again once it is back', async () => {
    expect(await health()).toEqual(ok);
    await postgres.stop();
    await expect.poll(health, { timeout: 5_000, interval: 200 }).toEqual({ status: 503, body: { status: 'unavailable', accounts: 'down', redis: 'up' } });
    // The process itself is fine: restarting it would not bring the database back.
    expect((await fetch(`${broker.url}/health/live`)).status).toBe(200);

    await postgres.start();
    await expect.poll(health, { timeout: 10_000, interval: 200 }).toEqual(ok);
  }, 30_000);

  it('answers 503 with redis down while Redis is stopped, and 200 again once it is back', async () => {
    await redis.stop();
    await expect.poll(health, { timeout: 5_000, interval: 200 }).toEqual({ status: 503, body: { status: 'unavailable', accounts: 'up', redis: 'down' } });
    await redis.start();
    await expect.poll(health, { timeout: 10_000, interval: 200 }).toEqual(ok);
  }, 30_000);
});

describe('the health probe', () => {
  it('probes at most once per interval, however many checks arrive', async () => {
    let now = 0;
    let probes = 0;
    const probe = createHealthProbe({ accounts: async () => void probes++ }, { cacheMs: 1_000, now: () => now });
    await Promise.all(Array.from({ length: 50 }, () => probe()));
    now = 999;
    await probe();
    expect(probes).toBe(1);
    now = 2_000;
    expect(await probe()).toEqual({ status: 'ok', accounts: 'up' });
    expect(probes).toBe(2);
  });

  it('counts a dependency that does not answer in time as down', async () => {
    const probe = createHealthProbe({ accounts: async () => undefined, redis: () => new Promise(() => undefined) }, { timeoutMs: 50 });
    expect(await probe()).toEqual({ status: 'unavailable', accounts: 'up', redis: 'down' });
  });
});
