import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../core/identity';
import { planIngest } from '../../core/ingest';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery, type OwnRecoveryEvent } from '../../core/ownRecovery';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text, type User } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true });
const ids = async (u: User, wall: string) => (await u.replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

describe('a restart between storing the restored copy and its recovery entry (§8 step 4)', () => {
  it('finishes the copy already held instead of conflicting with another friend\'s version of it', async () => {
    const carol = person('carol');
    const alice = person('alice');
    const bob = person('bob');
    await befriend(carol, alice);
    await befriend(carol, bob);
    await post(carol, text('one'));
    await connect(carol, bob);
    // A second device (same key) forks the wall: bob holds one version of entry 2, alice another.
    const fork = { ...carol, replica: createMemoryReplica(), events: [] };
    const copy = await planIngest(fork.replica, 'carol', await carol.replica.entriesAfter('carol', 0, 10), carol.identity.publicKey, carol.now, new Map());
    if (!copy.ok) throw new Error(copy.reason);
    await fork.replica.commit(copy.value);
    await fork.replica.putFriend((await carol.replica.friend('bob'))!);
    await post(fork, text('two on the other device'));
    await connect(fork, bob);
    await post(carol, text('two'));
    await connect(carol, alice);
    const alicesVersion = await ids(carol, 'carol');

    carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
    carol.replica = createMemoryReplica();
    const fresh = carol.identity;
    await carol.replica.setRecovering(true);
    await askAndConfirm(carol, alice);
    await askAndConfirm(carol, bob);
    // The browser stops once alice's copy is stored, before the recovery entry is appended.
    const commit = carol.replica.commit.bind(carol.replica);
    let writes = 0;
    carol.replica.commit = async (w) => (w.wall === 'carol' && ++writes > 1 ? { ok: false, reason: 'The browser stopped.' } : commit(w));
    carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: fresh, named: ['alice'], ...deps(carol), setTimer: () => () => {} });
    await connect(carol, alice);
    carol.replica.commit = commit;
    expect(await ids(carol, 'carol')).toEqual(alicesVersion);

    // After the restart only bob, with the other version, answers.
    const events: OwnRecoveryEvent[] = [];
    carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: fresh, named: ['bob'], ...deps(carol), setTimer: () => () => {}, onEvent: (e) => events.push(e) });
    await connect(carol, bob);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ seq: 3, from: null, disagreeing: ['bob'] });
    expect((await ids(carol, 'carol')).slice(0, 2)).toEqual(alicesVersion);
  });
});
