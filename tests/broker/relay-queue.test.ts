import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRelayQueue } from '../../broker/redis/relay-queue';
import { createRelayQueue, type RelayQueueLimits } from '../../broker/signalling/relay-queue';
import { flushRedis, startRedis, type TestRedis } from '../support/redis-server';

const DAY = 24 * 60 * 60_000;

/** The relay queue as the tests drive it, in memory or in Redis. */
interface Queue {
  add(dst: string, src: string, id: string, frame: string): Promise<boolean>;
  take(dst: string): Promise<string[]>;
  stats(): Promise<{ size: number; bytes: number }>;
}
type Options = Partial<RelayQueueLimits> & { now?: () => number };

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.close();
});

const implementations: Array<[string, (options?: Options) => Queue]> = [
  [
    'in memory',
    (options) => {
      const queue = createRelayQueue(options);
      return {
        add: async (...args) => queue.add(...args),
        take: async (dst) => queue.take(dst),
        stats: async () => ({ size: queue.size, bytes: queue.bytes }),
      };
    },
  ],
  [
    'in Redis',
    (options) => {
      const queue = createRedisRelayQueue(client, options);
      return {
        add: async (...args) => {
          const result = await queue.add(...args);
          return 'kept' in result && result.kept;
        },
        take: (dst) => queue.take(dst),
        stats: () => queue.stats(),
      };
    },
  ],
];

/** Adds a relay whose frame names its sender and id, so `take` shows who got through. */
const add = (queue: Queue, dst: string, src: string, id: string, padding = '') => queue.add(dst, src, id, JSON.stringify({ src, id, padding }));
const ids = (frames: string[]) => frames.map((frame) => (JSON.parse(frame) as { id: string }).id);

describe.each(implementations)('relay queue %s', (_name, createQueue) => {
  beforeEach(async () => {
    await flushRedis(redis.url);
  });

  it('drops relays older than 7 days', async () => {
    let now = 0;
    const queue = createQueue({ now: () => now });
    await add(queue, 'bob', 'alice', '1');
    now += 7 * DAY;
    await add(queue, 'bob', 'alice', '2');
    expect(ids(await queue.take('bob'))).toEqual(['2']);
    expect(await queue.stats()).toEqual({ size: 0, bytes: 0 });
  });

  it('bounds what waits for one handle and what one sender holds, whoever sends', async () => {
    const queue = createQueue({ perDestination: 5, perSender: 4, perPair: 10 });
    for (let i = 0; i < 8; i++) await add(queue, 'bob', `s${i}`, `to-bob-${i}`); // eight senders, one each
    for (let i = 0; i < 8; i++) await add(queue, `h${i}`, 'mallory', `m${i}`); // one sender, eight handles
    expect(ids(await queue.take('bob'))).toEqual(['to-bob-3', 'to-bob-4', 'to-bob-5', 'to-bob-6', 'to-bob-7']);
    const mallory = [];
    for (let i = 0; i < 8; i++) mallory.push(...ids(await queue.take(`h${i}`)));
    expect(mallory).toEqual(['m4', 'm5', 'm6', 'm7']);
  });

  it('keeps one copy of a relay sent again with the same id', async () => {
    const queue = createQueue();
    await add(queue, 'bob', 'alice', 'request');
    await add(queue, 'bob', 'carol', 'other');
    await add(queue, 'bob', 'alice', 'request');
    expect(ids(await queue.take('bob'))).toEqual(['other', 'request']);
  });

  it('lets a sender flooding one handle push out only its own relays to it', async () => {
    const queue = createQueue({ perPair: 4 });
    await add(queue, 'bob', 'alice', 'real');
    for (let i = 0; i < 20; i++) await add(queue, 'bob', 'mallory', `m${i}`);
    expect(ids(await queue.take('bob'))).toEqual(['real', 'm16', 'm17', 'm18', 'm19']);
  });

  it('makes room for a real friend in a handle’s full queue at the expense of whoever holds the most', async () => {
    const queue = createQueue({ perDestination: 32, perPair: 16 });
    for (let i = 0; i < 16; i++) await add(queue, 'bob', 'm1', `a${i}`);
    for (let i = 0; i < 16; i++) await add(queue, 'bob', 'm2', `b${i}`);
    await add(queue, 'bob', 'alice', 'real'); // m1 and m2 hold as many: the first to hold loses its oldest
    await add(queue, 'bob', 'm1', 'a16'); // m2 holds more now: it loses its oldest
    await add(queue, 'bob', 'm1', 'a17'); // as many as m2: m1's flood pushes out its own
    const frames = ids(await queue.take('bob'));
    expect(frames).toHaveLength(32);
    expect(frames.filter((id) => id === 'real')).toEqual(['real']);
    expect(frames.filter((id) => id.startsWith('a'))).toEqual(Array.from({ length: 16 }, (_, i) => `a${i + 2}`));
    expect(frames.filter((id) => id.startsWith('b'))).toEqual(Array.from({ length: 15 }, (_, i) => `b${i + 1}`));
  });

  it('keeps a real friend’s relay while two accounts send all they may to the same handle', async () => {
    const queue = createQueue();
    await add(queue, 'bob', 'alice', 'real');
    for (let i = 0; i < 60; i++) await add(queue, 'bob', 'm1', `a${i}`), await add(queue, 'bob', 'm2', `b${i}`);
    expect(ids(await queue.take('bob'))).toEqual(['real', 'a56', 'b56', 'a57', 'b57', 'a58', 'b58', 'a59', 'b59']);
  });

  it('bounds what one sender holds over all handles, pushing out its own oldest', async () => {
    const queue = createQueue({ perSender: 3 });
    await add(queue, 'carol', 'alice', 'real');
    for (let i = 0; i < 10; i++) await add(queue, `h${i}`, 'mallory', `m${i}`);
    expect((await queue.stats()).size).toBe(4);
    expect(ids(await queue.take('carol'))).toEqual(['real']);
    expect(ids(await queue.take('h9'))).toEqual(['m9']);
    expect(await queue.take('h0')).toEqual([]);
  });

  it('bounds the bytes held, taking room from the sender that holds the most', async () => {
    const kib = 'x'.repeat(1024);
    const queue = createQueue({ totalBytes: 5_000 });
    for (let i = 0; i < 8; i++) await add(queue, `h${i}`, 'mallory', `m${i}`, kib); // about 1 060 bytes each
    expect((await queue.stats()).size).toBe(4);
    await add(queue, 'bob', 'alice', 'real', kib);
    expect((await queue.stats()).bytes).toBeLessThanOrEqual(5_000);
    expect(ids(await queue.take('bob'))).toEqual(['real']);
    expect([...await queue.take('h3'), ...await queue.take('h4')]).toEqual([]);
    expect(ids([...await queue.take('h5'), ...await queue.take('h6'), ...await queue.take('h7')])).toEqual(['m5', 'm6', 'm7']);
  });

  it('bounds the count over all handles the same way', async () => {
    const queue = createQueue({ total: 5 });
    for (let i = 0; i < 10; i++) await add(queue, `h${i}`, 'mallory', `m${i}`);
    await add(queue, 'bob', 'alice', 'real');
    expect((await queue.stats()).size).toBe(5);
    expect(ids(await queue.take('bob'))).toEqual(['real']);
  });

  it('holds a queued relay as its frame’s bytes, not as the parsed body', async () => {
    const queue = createQueue();
    const frame = JSON.stringify({ type: 'PW_RELAY', src: 'mallory', payload: { id: 'x', body: JSON.parse('['.repeat(60) + ']'.repeat(60)) } });
    await queue.add('bob', 'mallory', 'x', frame);
    expect((await queue.stats()).bytes).toBe(Buffer.byteLength(frame));
    expect(await queue.take('bob')).toEqual([frame]);
  });

  it('refuses only a frame larger than all the bytes it may hold', async () => {
    const queue = createQueue({ totalBytes: 100 });
    expect(await queue.add('bob', 'alice', 'big', 'x'.repeat(101))).toBe(false);
    expect(await queue.add('bob', 'alice', 'small', 'x'.repeat(100))).toBe(true);
  });
});
