import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, untilReady } from '../../broker/redis/client';
import { createRedisMesh } from '../../broker/redis/mesh';
import { createRedisRelayQueue } from '../../broker/redis/relay-queue';
import { startRedis } from '../support/redis-server';

// A claim whose answer timed out may still run in Redis afterwards (a slow or paused server): the node must
// release it, or the handle would look held by a socket that does not exist for as long as the node lives.
const redis = await startRedis();
const client = new Redis(redis.url);
const log = { info: () => undefined, warn: () => undefined };
const commands = connectRedis(redis.url, log, 'peerwall-broker');
const subscriber = connectRedis(redis.url, log, 'peerwall-broker-subscriber');
await Promise.all([untilReady(commands, 5_000), untilReady(subscriber, 5_000)]);
// What happens to alice's claim key, as Redis reports it (keyspace notifications for hashes and generic commands).
// Ready before it subscribes: a SUBSCRIBE that overtakes ioredis's ready check (INFO) leaves the connection in
// subscriber mode, the check fails, and the reconnect loses the subscription and every event after it.
const watcher = new Redis(redis.url, { lazyConnect: true });
await watcher.connect();
const events: string[] = [];
await client.config('SET', 'notify-keyspace-events', 'Kgh');
await watcher.subscribe('__keyspace@0__:pw:peer:alice');
watcher.on('message', (_channel: string, event: string) => events.push(event));
const mesh = createRedisMesh({ redis: commands, subscriber, queue: createRedisRelayQueue(commands), log });
afterAll(async () => {
  await mesh.close();
  watcher.disconnect();
  commands.disconnect();
  subscriber.disconnect();
  client.disconnect();
  await redis.close();
});

const session = (handle: string) => ({ handle, sessionId: `${handle}-session`, startedAt: Date.now(), tokenVersion: 0 });

describe('a claim whose answer timed out', () => {
  it('is released once Redis answers again, while the node keeps running', async () => {
    await mesh.claim(session('bob'), 'bob-socket'); // Redis knows the claim script from now on
    await client.call('CLIENT', 'PAUSE', '2500', 'WRITE'); // the claim waits longer than the 2 s command timeout
    await expect(mesh.claim(session('alice'), 'alice-socket')).rejects.toThrow(/timed? ?out/i);
    // The pause ends and the postponed claim runs after all; the node lets go of it at its next heartbeat.
    const deadline = Date.now() + 8_000;
    while (!events.includes('del')) {
      if (Date.now() > deadline) throw new Error(`alice is still held by a socket that was never admitted (events: ${events.join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(events).toEqual(['hset', 'del']);
    expect(await client.exists('pw:peer:alice')).toBe(0);
    expect(await client.hget('pw:peer:bob', 'conn')).toBe('bob-socket');
    expect(await client.hget(`pw:nodepeers:${mesh.node}`, 'alice')).toBeNull();
  }, 20_000);
});
