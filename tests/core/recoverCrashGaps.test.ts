import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery } from '../../core/ownRecovery';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true });

describe('a crash in the middle of a recovery from friends (§8 step 4)', () => {
  it('a friend that stored the recovery entry but not the pin change takes the statement at the next session', async () => {
    const carol = person('carol');
    const alice = person('alice');
    await befriend(carol, alice);
    await post(carol, text('one'));
    await connect(carol, alice);
    const lost = carol.identity.publicKey;
    carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
    carol.replica = createMemoryReplica();
    carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice'], ...deps(carol), setTimer: () => () => {}, waitMs: 1 });
    await carol.replica.setRecovering(true);
    await askAndConfirm(carol, alice);
    // alice's browser stops right after storing the recovery entry, before the pin takes its statement.
    const putFriend = alice.replica.putFriend.bind(alice.replica);
    alice.replica.putFriend = async (f) => (f.handle === 'carol' && !f.recoveredFrom ? undefined : putFriend(f));
    await connect(carol, alice);
    alice.replica.putFriend = putFriend;
    expect((await alice.replica.wallState('carol'))?.seq).toBe(2);
    expect((await alice.replica.friend('carol'))?.recoveredFrom).toEqual(lost);

    carol.identity = carol.ownRecovery.identity;
    carol.ownRecovery = undefined;
    await connect(carol, alice);
    const pin = await alice.replica.friend('carol');
    expect(pin?.recoveredFrom).toBeUndefined();
    expect(pin?.rotations.map((s) => s.format ?? 1)).toEqual([2]);
    expect(alice.events.filter((e) => e.type === 'closed')).toEqual([]);
  });
});
