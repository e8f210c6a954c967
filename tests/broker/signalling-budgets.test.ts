import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawPeer, account, errorMessage, ofType, startBroker, type TestBroker } from './helpers';
import { flushRedis, startRedis } from '../support/redis-server';

// What one account may cost the shared Redis: sockets opened per handle, and allowlist changes charged by size
// to the handle (not the socket), over reconnects.
// Two nodes on one Redis and one SQLite data dir, as in nodes.test.ts.
const redis = await startRedis();
afterAll(() => redis.close());

let brokers: TestBroker[] = [];
const peers: RawPeer[] = [];
beforeEach(async () => {
  await flushRedis(redis.url);
  const one = await startBroker({ redisUrl: redis.url });
  brokers = [one, await startBroker({ redisUrl: redis.url, dataDir: one.config.dataDir })];
});
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  for (const broker of brokers) await broker.close({ keepData: true });
  rmSync(brokers[0]!.config.dataDir, { recursive: true, force: true });
});

function connect(broker: TestBroker, handle: string, token: string): RawPeer {
  const peer = RawPeer.connect(broker.wsUrl(handle, token));
  peers.push(peer);
  return peer;
}

/** 5 000 handles: 10 allowlist tokens, the whole burst. */
const LONG_LIST = Array.from({ length: 5_000 }, (_, i) => `friend${i}`);

/** Resolves with the ms between now and the PW_PRESENCE that answers the PW_ALLOW `frame`. */
async function answeredAfter(peer: RawPeer, frame: unknown): Promise<number> {
  const before = peer.frames.filter(ofType('PW_PRESENCE')).length;
  const sentAt = Date.now();
  peer.send(frame);
  await peer.next(() => peer.frames.filter(ofType('PW_PRESENCE')).length > before, 6_000);
  return Date.now() - sentAt;
}

describe('what one handle may cost the broker nodes', () => {
  it('refuses the 21st socket of a handle within a minute with rate_limited, counted over both nodes', async () => {
    const [one, two] = brokers as [TestBroker, TestBroker];
    const token = await account(one.app, 'alice');
    for (let i = 0; i < 20; i += 1) {
      const peer = connect(i % 2 === 0 ? one : two, 'alice', token);
      await peer.opened();
    }
    const refused = connect(two, 'alice', token);
    const error = await refused.next(ofType('ERROR'));
    expect(errorMessage(error)).toMatch(/too many/i);
    expect((await refused.closed).reason).toBe('rate_limited');
  });

  it('charges an allowlist change by its length: after 5 000 handles the next change waits for a token', async () => {
    const [one] = brokers as [TestBroker, TestBroker];
    const alice = connect(one, 'alice', await account(one.app, 'alice'));
    await alice.opened();
    expect(await answeredAfter(alice, { type: 'PW_ALLOW', payload: { handles: LONG_LIST } })).toBeLessThan(1_000);
    expect(await answeredAfter(alice, { type: 'PW_ALLOW', payload: { handles: ['bob'] } })).toBeGreaterThan(1_500);
  });

  it('keeps the allowlist budget of a handle across reconnects', async () => {
    const [one] = brokers as [TestBroker, TestBroker];
    const token = await account(one.app, 'alice');
    const first = connect(one, 'alice', token);
    await first.opened();
    await answeredAfter(first, { type: 'PW_ALLOW', payload: { handles: LONG_LIST } });
    first.close();
    await first.closed;
    const second = connect(one, 'alice', token);
    await second.opened();
    expect(await answeredAfter(second, { type: 'PW_ALLOW', payload: { handles: ['bob'] } })).toBeGreaterThan(1_500);
  });

  it('lets an honest client reconnect a few times and send its allowlist each time at once', async () => {
    const [one] = brokers as [TestBroker, TestBroker];
    const token = await account(one.app, 'alice');
    for (let i = 0; i < 5; i += 1) {
      const peer = connect(one, 'alice', token);
      await peer.opened();
      expect(await answeredAfter(peer, { type: 'PW_ALLOW', payload: { handles: ['bob', 'carol'] } })).toBeLessThan(1_000);
      peer.close();
      await peer.closed;
    }
  });
});
