import type { FastifyBaseLogger } from 'fastify';
import type { BrokerConfig } from './config';
import { createLoginThrottle, type LoginThrottle } from './login-throttle';
import { connectRedis, orUnavailable, untilReady } from './redis/client';
import { createRedisLoginThrottle } from './redis/login-throttle';
import { createRedisMesh } from './redis/mesh';
import { createRedisRelayQueue } from './redis/relay-queue';
import { createRedisWindowCounter } from './redis/window-counter';
import { createLocalMesh, type SignallingMesh } from './signalling/mesh';
import { createRelayQueue } from './signalling/relay-queue';
import { createWindowCounter, type WindowCounter } from './window-counter';

/** What broker nodes must agree on: who is online where, waiting relays, and every count that limits a client. */
export interface SharedState {
  mesh: SignallingMesh;
  throttle: LoginThrottle;
  registrations: WindowCounter;
  relayLimiter: WindowCounter;
  /** Signalling sockets opened per handle. */
  socketLimiter: WindowCounter;
  /** Milliseconds on the clock every node shares (Redis's `TIME`; this process's without Redis). */
  now(): Promise<number>;
  /** Redis answers PING, for GET /health; absent when the state is in this process. */
  ping?: () => Promise<void>;
  close(): Promise<void>;
}

const RELAYS_PER_MINUTE = 30;
/** A client reconnects with backoff, so an honest one opens a few sockets a minute at most. */
const SOCKETS_PER_MINUTE = 20;
/** How long a start waits for Redis before it goes on without (and keeps retrying). */
const REDIS_START_WAIT_MS = 5_000;

/**
 * In this process (the default), or in Redis when REDIS_URL is set, so that several nodes act as one
 * broker (docs/broker.md#several-nodes).
 */
export async function openSharedState(
  config: BrokerConfig,
  log: FastifyBaseLogger,
  deps: { throttle?: LoginThrottle; now?: () => number } = {},
): Promise<SharedState> {
  const registrationLimit = { limit: config.registerRateLimit, windowMs: 60 * 60_000 };
  const relayLimit = { limit: RELAYS_PER_MINUTE, windowMs: 60_000 };
  const socketLimit = { limit: SOCKETS_PER_MINUTE, windowMs: 60_000 };
  if (config.redisUrl === undefined) {
    return {
      mesh: createLocalMesh(createRelayQueue({ totalBytes: config.relayQueueBytes })),
      throttle: deps.throttle ?? createLoginThrottle(),
      registrations: createWindowCounter(registrationLimit),
      relayLimiter: createWindowCounter(relayLimit),
      socketLimiter: createWindowCounter(socketLimit),
      now: async () => (deps.now ?? Date.now)(),
      close: async () => undefined,
    };
  }
  const redis = connectRedis(config.redisUrl, log, 'peerwall-broker');
  const subscriber = connectRedis(config.redisUrl, log, 'peerwall-broker-subscriber');
  if (!(await untilReady(redis, REDIS_START_WAIT_MS))) {
    log.warn({}, 'Redis is not reachable yet; signalling and sign-ins answer "unavailable" until it is');
  }
  await untilReady(subscriber, 1_000);
  const queue = createRedisRelayQueue(redis, { totalBytes: config.relayQueueBytes });
  return {
    mesh: createRedisMesh({ redis, subscriber, queue, log }),
    throttle: deps.throttle ?? createRedisLoginThrottle(redis),
    registrations: createRedisWindowCounter(redis, { name: 'registrations', ...registrationLimit }),
    relayLimiter: createRedisWindowCounter(redis, { name: 'relays', ...relayLimit }),
    socketLimiter: createRedisWindowCounter(redis, { name: 'sockets', ...socketLimit }),
    now: () =>
      orUnavailable(async () => {
        const [seconds, micros] = await redis.time();
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      }),
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
