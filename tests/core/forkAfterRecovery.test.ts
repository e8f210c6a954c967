import { describe, expect, it } from 'vitest';
import { signDraft } from '../../core/author';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery } from '../../core/ownRecovery';
import { planIngest } from '../../core/ingest';
import { knownAuthors } from '../../core/knownAuthors';
import { signFork, verifyFork, createMemoryForkStatements } from '../../core/forkStatement';
import { followForkStatement } from '../../core/forkRepair';
import { sealHash, sealOf, signSeal, type SealedEntry } from '../../core/seal';
import { befriend, connect, deps, makeUser, post, seededRandom, text, type User } from './support/world';
import { askAndConfirm } from './support/recovery';

const person = (h: string) => makeUser(h, h, { media: true, forks: true });
const sealHashAt = async (u: User, wall: string, seq: number) => {
  const [e] = await u.replica.entriesAfter(wall, seq - 1, 1);
  return sealHash(sealOf(e!.header, e!.seq, e!.prev));
};

describe('the thief of a lost key after a recovery (docs/protocol.md §8 Forks)', () => {
  it('can neither truncate the wall on a reader with a fork statement nor continue it under the lost key', async () => {
    const carol = person('carol');
    const alice = person('alice');
    await befriend(carol, alice);
    await post(carol, text('one'));
    await post(carol, text('two'));
    await connect(carol, alice);
    const lost = carol.identity; // the stolen laptop

    carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
    carol.replica = createMemoryReplica();
    carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice'], ...deps(carol), setTimer: () => () => {}, waitMs: 1 });
    await carol.replica.setRecovering(true);
    await askAndConfirm(carol, alice);
    // Confirmed, the recovery entry not yet arrived: the lost key signs nothing alice takes.
    const early = signFork({ wall: 'carol', seq: 1, replaced: await sealHashAt(alice, 'carol', 1), kept: new Uint8Array(32).fill(2) }, lost.secretKey);
    expect(await followForkStatement(alice.replica, createMemoryForkStatements(), early, verifyFork)).toBe('refused');
    expect((await alice.replica.wallState('carol'))?.seq).toBe(2);

    await connect(carol, alice);
    carol.identity = carol.ownRecovery.identity;
    carol.ownRecovery = undefined;
    await connect(carol, alice);
    expect((await alice.replica.friend('carol'))?.recoveredFrom).toBeUndefined(); // recovery adopted by alice
    expect((await alice.replica.wallState('carol'))?.seq).toBe(3);

    // "Entry 3 (the recovery) was replaced", signed by the lost key.
    const forged = signFork({ wall: 'carol', seq: 3, replaced: await sealHashAt(alice, 'carol', 3), kept: new Uint8Array(32).fill(1) }, lost.secretKey);
    const statements = createMemoryForkStatements();
    expect(await followForkStatement(alice.replica, statements, forged, verifyFork)).toBe('refused');
    expect((await alice.replica.wallState('carol'))?.seq).toBe(3);
    expect(await statements.held('carol')).toEqual([]);
    // Nor "entry 1 was replaced" (sealed by the lost key), signed by it.
    const atOne = signFork({ wall: 'carol', seq: 1, replaced: await sealHashAt(alice, 'carol', 1), kept: new Uint8Array(32).fill(1) }, lost.secretKey);
    expect(await followForkStatement(alice.replica, statements, atOne, verifyFork)).toBe('refused');

    // The thief's continuation at 3 under the lost key does not chain to the recovery alice holds.
    const signed = signDraft(lost, 'carol', lost.publicKey, text('the thief writes here'), { randomBytes: seededRandom('t'), now: carol.now });
    if (!signed.ok) throw new Error(signed.reason);
    const seal = sealOf(signed.value.header, 3, await sealHashAt(alice, 'carol', 2));
    const sealed: SealedEntry = { ...signed.value, seq: seal.seq, prev: seal.prev, ownerSig: signSeal(seal, lost.secretKey) };
    const plan = await planIngest(alice.replica, 'carol', [sealed], lost.publicKey, alice.now, knownAuthors(alice.identity, await alice.replica.friends()), {});
    expect(plan.ok).toBe(false);
  });
});
