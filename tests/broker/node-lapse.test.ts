import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account } from './helpers';
import { presence, useTwoNodes } from './two-nodes';

// A node that is still running but whose liveness key lapsed (its heartbeats timed out, say) is reaped by the
// others; it must notice at its next heartbeat and claim its sockets again.
const { nodes, online } = useTwoNodes();
let client: Redis;
beforeAll(() => {
  client = new Redis(nodes.redisUrl);
});
afterAll(() => client.disconnect());

describe('a running node whose liveness key lapsed', () => {
  it('claims its sockets again after the other node let go of them, so friends see it online and reach it', async () => {
    const { one, two } = nodes;
    const alice = await online(one, 'alice', await account(one.app, 'alice'));
    const bob = await online(two, 'bob', await account(two.app, 'bob'));
    alice.send({ type: 'PW_ALLOW', payload: { handles: ['bob'] } });
    await alice.next(presence([], []));
    bob.send({ type: 'PW_ALLOW', payload: { handles: ['alice'] } });
    await bob.next(presence(['alice'], []));
    const nodeOne = await client.hget('pw:peer:alice', 'node');
    expect(nodeOne).toBeTruthy();

    // As if node one's heartbeats timed out: its key is gone until node two reaps it.
    const lapse = setInterval(() => void client.del(`pw:node:${nodeOne}`), 50);
    try {
      await bob.next(presence([], ['alice']), 10_000);
    } finally {
      clearInterval(lapse);
    }
    await client.del(`pw:node:${nodeOne}`);

    await bob.next((frame) => bob.frames.indexOf(frame) > bob.frames.findIndex(presence([], ['alice'])) && presence(['alice'], [])(frame), 10_000);
    expect(await client.hget('pw:peer:alice', 'node')).toBe(nodeOne);
    bob.send({ type: 'OFFER', dst: 'alice', payload: { sdp: 'x' } });
    const offer = await alice.next((frame) => frame.type === 'OFFER');
    expect(offer.src).toBe('bob');
  }, 30_000);
});
