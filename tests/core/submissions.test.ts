import { describe, expect, it } from 'vitest';
import { befriend, connect, makeUser, post, queue, text } from './support/world';

describe('submissions the owner seals', () => {
  it('reports the entries it sealed now, and nothing for an entry resent after it was sealed', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const p = await post(alice, text('seal me a comment'));
    const id = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'first' } });
    const [item] = await bob.replica.outbox('alice');
    await connect(alice, bob);
    const sealedNow = alice.events.filter((e) => e.type === 'wallUpdated' && e.wall === 'alice');
    alice.events.length = 0;

    // bob's peer sends the same entry again, as a resend after a lost answer or a hostile peer would.
    await bob.replica.addToOutbox('alice', item!);
    await connect(alice, bob);

    expect(sealedNow).toHaveLength(1);
    expect(sealedNow[0]?.type === 'wallUpdated' && sealedNow[0].added.map((e) => e.id)).toEqual([id]);
    expect(alice.events.filter((e) => e.type === 'wallUpdated' && e.wall === 'alice')).toEqual([]);
    expect((await alice.replica.wallState('alice'))?.seq).toBe(2);
  });
});
