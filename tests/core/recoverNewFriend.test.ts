import { describe, expect, it } from 'vitest';
import { acceptKeyChange } from '../../core/friendship';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery } from '../../core/ownRecovery';
import { planIngest } from '../../core/ingest';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text, type User } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true, forks: true });
const ids = async (u: User, wall: string) => (await u.replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

/** carol posts, alice holds it, carol loses her key and alice restores the wall (§8). */
async function recoveredCarol() {
  const carol = person('carol');
  const alice = person('alice');
  await befriend(carol, alice);
  await post(carol, text('one'));
  await connect(carol, alice);
  const lost = carol.identity;
  carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
  carol.replica = createMemoryReplica();
  carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice'], ...deps(carol), setTimer: () => () => {}, waitMs: 1 });
  await carol.replica.setRecovering(true);
  await askAndConfirm(carol, alice);
  await connect(carol, alice);
  carol.identity = carol.ownRecovery.identity;
  carol.ownRecovery = undefined;
  return { carol, alice, lost };
}

describe('a friend made after a recovery (§8 "Without the key", §4.2)', () => {
  it('pulls the recovered wall from its owner and keeps the history it learns with the pin', async () => {
    const { carol, lost } = await recoveredCarol();
    const dave = person('dave');
    await befriend(carol, dave);
    await connect(carol, dave);
    expect(dave.events.filter((e) => e.type === 'closed')).toEqual([]);
    expect(await ids(dave, 'carol')).toEqual(await ids(carol, 'carol'));
    const pin = await dave.replica.friend('carol');
    expect(pin?.rotations.map((s) => s.format ?? 1)).toEqual([2]);
    expect(pin?.rotations[0]?.oldKey).toEqual(lost.publicKey);

    // Later sessions verify as usual and take what follows.
    const next = await post(carol, text('two'));
    await connect(carol, dave);
    expect(dave.events.filter((e) => e.type === 'closed')).toEqual([]);
    expect((await ids(dave, 'carol')).at(-1)).toBe(next.id);
  });

  it('lets a friend who took the new key as a new identity read the wall again', async () => {
    const { carol } = await recoveredCarol();
    const bob = person('bob');
    await befriend(carol, bob);
    await acceptKeyChange(bob.replica, bob.identity, 'carol', carol.identity.publicKey, bob.now);
    await connect(carol, bob);
    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
    expect(await ids(bob, 'carol')).toEqual(await ids(carol, 'carol'));
  });

  it('takes a recovery only before the wall reaches a key of the pinned history', async () => {
    const { carol, lost } = await recoveredCarol();
    const wall = await carol.replica.entriesAfter('carol', 0, 10);
    const learn = (before: Uint8Array[]) => planIngest(createMemoryReplica(), 'carol', wall, lost.publicKey, carol.now, new Map(), { recovery: { before } });
    expect(await learn([carol.identity.publicKey])).toMatchObject({ ok: true });
    expect(await learn([carol.identity.publicKey, lost.publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('not confirmed') });
  });
});
