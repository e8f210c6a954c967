import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../core/messages';
import { backup } from './support/backup';
import { befriend, connect, makeUser, post, text, type User } from './support/world';

/** Where alice asked bob for her own wall from in one session; bob never hears her fork statements. */
async function ownWants(alice: User, bob: User): Promise<number[]> {
  const wants: number[] = [];
  await connect(alice, bob, {
    tap: (f, from) => {
      const m = decodeMessage(f);
      if (from === 'a' && m.ok && m.value.type === 'want' && m.value.wall === 'alice') wants.push(m.value.afterSeq);
      return from === 'a' && m.ok && m.value.type === 'forked' ? [] : [f];
    },
  });
  return wants;
}

describe('a fork of one\'s own wall already answered (docs/protocol.md §8 Forks step 2)', () => {
  it('is pulled and checked whole once, not again at every session with a friend who keeps the old branch', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    await befriend(alice, bob);
    await post(alice, text('one'));
    const restored = await backup(alice, 1);
    await post(alice, text('two'));
    await post(alice, text('three'));
    await connect(alice, bob); // bob holds 1–3
    alice.replica = restored;
    for (const t of ['two again', 'three again', 'four']) await post(alice, text(t));

    expect(await ownWants(alice, bob)).toContain(0); // the repair: bob's whole copy
    expect(alice.events.filter((e) => e.type === 'forkRepaired')).toHaveLength(1);
    // bob never hears the statement (lost on the way, or he ignores it): he still holds 1–3 of the old branch.
    expect((await bob.replica.wallState('alice'))?.seq).toBe(3);
    const second = await ownWants(alice, bob);
    expect(second).toContain(0); // the repair answered with the statement it made: remembered from now on
    expect(await ownWants(alice, bob)).not.toContain(0);
    expect(await ownWants(alice, bob)).not.toContain(0);
    expect(alice.events.filter((e) => e.type === 'forkRepaired')).toHaveLength(1);
  });
});
