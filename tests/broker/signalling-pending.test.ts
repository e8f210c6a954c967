import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawPeer, account, errorMessage, ofType, startBroker, type TestBroker } from './helpers';
import { flushRedis, startRedis, untilBrokerWaitsOnPause } from '../support/redis-server';

// Sockets not yet admitted (token checked, admission waiting on Redis, held here with CLIENT PAUSE WRITE)
// hold memory too: they count toward MAX_CONNECTIONS and may buffer only so many bytes.
const redis = await startRedis();
const client = new Redis(redis.url);
afterAll(async () => {
  client.disconnect();
  await redis.close();
});

let broker: TestBroker;
const peers: RawPeer[] = [];
beforeEach(async () => {
  await flushRedis(redis.url);
  broker = await startBroker({ redisUrl: redis.url, maxConnections: 2 });
});
afterEach(async () => {
  await client.call('CLIENT', 'UNPAUSE');
  for (const peer of peers.splice(0)) peer.close();
  await broker.close();
});

function connect(handle: string, token: string): RawPeer {
  const peer = RawPeer.connect(broker.wsUrl(handle, token));
  peers.push(peer);
  return peer;
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);

describe('sockets waiting to be admitted', () => {
  it('count toward the connection limit: a third socket is refused with server_full while two wait', async () => {
    const tokens = { alice: await account(broker.app, 'alice'), bob: await account(broker.app, 'bob'), carol: await account(broker.app, 'carol') };
    await client.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    let carol: RawPeer;
    try {
      connect('alice', tokens.alice);
      connect('bob', tokens.bob);
      await untilBrokerWaitsOnPause(client);
      await new Promise((resolve) => setTimeout(resolve, 100)); // both have been taken in
      carol = connect('carol', tokens.carol);
      expect(await within(carol.closed, 700)).toEqual({ code: 1008, reason: 'server_full' });
    } finally {
      await client.call('CLIENT', 'UNPAUSE');
    }
    expect(errorMessage(carol.frames.find(ofType('ERROR'))!)).toMatch(/^server_full: /);
  });

  it('are dropped once they buffer more than 320 KiB of frames', async () => {
    const token = await account(broker.app, 'alice');
    await client.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    try {
      const alice = connect('alice', token);
      await untilBrokerWaitsOnPause(client);
      const frame = 'x'.repeat(60 * 1024);
      for (let i = 0; i < 6; i += 1) alice.socket.send(frame);
      expect(await within(alice.closed, 700)).toMatchObject({ code: 1006 });
    } finally {
      await client.call('CLIENT', 'UNPAUSE');
    }
  });
});
