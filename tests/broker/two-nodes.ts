import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { RawPeer, type Frame, type TestBroker, startBroker } from './helpers';
import { flushRedis, startRedis, type TestRedis } from '../support/redis-server';

/**
 * Two real broker nodes on one Redis and one SQLite data dir (WAL), as in docs/broker.md#several-nodes, fresh
 * for each test: call at the top of a test file. `online` opens a socket the test's end closes.
 */
export function useTwoNodes() {
  let redis: TestRedis;
  const nodes = {} as { one: TestBroker; two: TestBroker; redisUrl: string };
  const peers: RawPeer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    nodes.redisUrl = redis.url;
  });
  afterAll(async () => {
    await redis.close();
  });
  beforeEach(async () => {
    await flushRedis(redis.url);
    nodes.one = await startBroker({ redisUrl: redis.url });
    nodes.two = await startBroker({ redisUrl: redis.url, dataDir: nodes.one.config.dataDir });
  });
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    await nodes.two.close({ keepData: true });
    await nodes.one.close({ keepData: true });
    rmSync(nodes.one.config.dataDir, { recursive: true, force: true });
  });
  /** A socket the test's end closes. */
  function track(peer: RawPeer): RawPeer {
    peers.push(peer);
    return peer;
  }
  async function online(node: TestBroker, handle: string, token: string): Promise<RawPeer> {
    const peer = track(RawPeer.connect(node.wsUrl(handle, token)));
    await peer.opened();
    return peer;
  }
  return { nodes, online, track };
}

/** A PW_PRESENCE frame saying exactly this. */
export const presence = (online: string[], offline: string[]) => (frame: Frame) =>
  frame.type === 'PW_PRESENCE' && JSON.stringify(frame.payload) === JSON.stringify({ online, offline });
