import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisLoginThrottle } from '../../broker/redis/login-throttle';
import { createRedisWindowCounter } from '../../broker/redis/window-counter';
import { createAccount, errorMessage, ofType, signIn, startBroker } from './helpers';
import { useTwoNodes } from './two-nodes';

// Nodes whose clocks disagree — a node given a clock ahead, or this process's Date moved (timers stay real):
// what is counted in Redis is counted on Redis's clock, and sign-ins are ordered on it (docs/broker.md#clocks).
const { nodes, online } = useTwoNodes();
const HOUR = 60 * 60_000;

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `action` while this process's clock reads `offsetMs` away from the true time. */
async function withClockOff<T>(offsetMs: number, action: () => T | Promise<T>): Promise<T> {
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now + offsetMs);
  try {
    return await action();
  } finally {
    vi.useRealTimers();
  }
}

describe('nodes whose clocks disagree', () => {
  it('let the later sign-in win even when it was made on a node whose clock is two minutes behind', async () => {
    const ahead = await startBroker({ redisUrl: nodes.redisUrl, dataDir: nodes.one.config.dataDir }, { now: () => Date.now() + 2 * 60_000 });
    try {
      await createAccount(ahead.app, 'alice');
      const older = await online(ahead, 'alice', await signIn(ahead.app, 'alice'));
      const newer = await online(nodes.two, 'alice', await signIn(nodes.two.app, 'alice'));
      expect(errorMessage(await older.next(ofType('ERROR')))).toMatch(/^signed_in_elsewhere: /);
      expect(newer.socket.readyState).toBe(newer.socket.OPEN);
      expect(newer.frames.some(ofType('ERROR'))).toBe(false);
    } finally {
      await ahead.close({ keepData: true });
    }
  });

  it('count one sign-up window over nodes an hour apart', async () => {
    const redis = new Redis(nodes.redisUrl);
    try {
      const window = createRedisWindowCounter(redis, { name: 'skew', limit: 2, windowMs: 60_000 });
      expect((await withClockOff(HOUR, () => window.take('1.2.3.4'))).ok).toBe(true);
      expect((await withClockOff(-HOUR, () => window.take('1.2.3.4'))).ok).toBe(true);
      const third = await withClockOff(2 * HOUR, () => window.take('1.2.3.4'));
      expect(third).toMatchObject({ ok: false });
      expect(third.ok ? 0 : third.retryAfter).toBeLessThanOrEqual(60);
    } finally {
      redis.disconnect();
    }
  });

  it('keep a sign-in delay on a node whose clock is a day ahead of the node that set it', async () => {
    const redis = new Redis(nodes.redisUrl);
    try {
      const throttle = createRedisLoginThrottle(redis, { freePerPair: 1, baseDelayMs: 30_000 });
      await throttle.fail('alice', '1.2.3.4');
      await throttle.fail('alice', '1.2.3.4');
      const wait = await withClockOff(24 * HOUR, () => throttle.retryAfter('alice', '1.2.3.4'));
      expect(wait).toBeGreaterThan(25);
      expect(wait).toBeLessThanOrEqual(30);
    } finally {
      redis.disconnect();
    }
  });
});
