import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, ofType } from './helpers';
import { useTwoNodes } from './two-nodes';

// A relay for a handle whose node was killed a moment ago (its liveness key has not expired yet, but nobody
// listens on its channel) must not vanish without a status.
const { nodes, online } = useTwoNodes();
let client: Redis;
beforeAll(() => {
  client = new Redis(nodes.redisUrl);
});
afterAll(() => client.disconnect());
describe('a relay for a handle held by a node that was just killed', () => {
  it('is answered accepted and delivered when the handle connects again', async () => {
    const { one, two } = nodes;
    const alice = await online(one, 'alice', await account(one.app, 'alice'));
    const bobToken = await account(two.app, 'bob');
    // bob's node was killed: its key lives on for a few seconds, nobody subscribes to bob's channel.
    await client.set('pw:node:killed', '1', 'PX', 10_000);
    await client.hset('pw:peer:bob', { node: 'killed', conn: 'gone', sid: 'old', sat: '1' });

    alice.send({ type: 'PW_RELAY', dst: 'bob', payload: { id: 'req-1', body: 'hi' } });
    expect((await alice.next(ofType('PW_RELAY_STATUS'))).payload).toMatchObject({ id: 'req-1', status: 'accepted' });
    const bob = await online(two, 'bob', bobToken);
    await bob.next(ofType('PW_RELAY'));
    expect(bob.frames.slice(0, 2)).toEqual([{ type: 'OPEN' }, { type: 'PW_RELAY', src: 'alice', payload: { id: 'req-1', body: 'hi' } }]);
  });
});
