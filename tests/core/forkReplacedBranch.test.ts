import { describe, expect, it } from 'vitest';
import { signFork, verifyFork } from '../../core/forkStatement';
import { followForkStatement } from '../../core/forkRepair';
import { decodeMessage } from '../../core/messages';
import { sealHash, sealOf } from '../../core/seal';
import { befriend, connect, makeUser, post, text } from './support/world';

describe('a branch a reader dropped under a fork statement (docs/protocol.md §8 Forks step 4)', () => {
  it('is not taken again from a stale holder serving it, and the holder is sent the statement and drops it too', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    const carol = makeUser('carol', 'carol', { forks: true, media: true });
    await befriend(alice, bob);
    await befriend(alice, carol);
    await befriend(bob, carol);
    for (const [a, b] of [[alice, bob], [alice, carol], [bob, carol]] as const) (await connect(a, b)).a.close();
    await post(alice, text('one'));
    await post(alice, text('two'));
    await post(alice, text('three'));
    (await connect(alice, bob)).a.close();
    (await connect(alice, carol)).a.close();
    // alice says her entry 2 was replaced; carol follows, bob (offline from alice) still holds it.
    const [e2] = await carol.replica.entriesAfter('alice', 1, 1);
    const statement = signFork({ wall: 'alice', seq: 2, replaced: sealHash(sealOf(e2!.header, e2!.seq, e2!.prev)), kept: new Uint8Array(32).fill(9) }, alice.identity.secretKey);
    expect(await followForkStatement(carol.replica, carol.forks!.statements, statement, verifyFork)).toBe('applied');
    expect((await carol.replica.wallState('alice'))?.seq).toBe(1);

    const forkedToBob: number[] = [];
    await connect(bob, carol, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from === 'b' && m.ok && m.value.type === 'forked') forkedToBob.push(m.value.statement.seq);
        return [f];
      },
    });

    expect((await carol.replica.wallState('alice'))?.seq).toBe(1);
    expect(forkedToBob).toEqual([2]);
    expect((await bob.replica.wallState('alice'))?.seq).toBe(1);
    expect((await bob.forks!.statements.held('alice')).map((s) => s.seq)).toEqual([2]);
    expect(bob.events).toContainEqual({ type: 'forkFollowed', wall: 'alice', seq: 2 });
  });
});
