import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '../../core/author';
import { createIdentity } from '../../core/identity';
import { planIngest } from '../../core/ingest';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery, type OwnRecoveryEvent } from '../../core/ownRecovery';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text, type User } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true });
const ids = async (u: User, wall: string) => (await u.replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

/** carol's real wall of two posts, which `holders` pulled, and mallory holding a longer "carol" wall of her own making. */
async function carolAndAFake(holders: string[]) {
  const carol = person('carol');
  const mallory = person('mallory');
  const friends = holders.map(person);
  for (const f of [...friends, mallory]) await befriend(carol, f);
  await post(carol, text('one'));
  await post(carol, text('two'));
  for (const f of friends) await connect(carol, f);
  const real = await ids(carol, 'carol');
  const fake = createIdentity('carol', seededRandom('fake'));
  const fakeReplica = createMemoryReplica();
  for (let i = 0; i < 5; i++) {
    const r = await writeOwnEntry(fakeReplica, fake, text(`fake ${i}`), deps(mallory));
    if (!r.ok) throw new Error(r.reason);
  }
  const planted = await planIngest(mallory.replica, 'carol', await fakeReplica.entriesAfter('carol', 0, 100), fake.publicKey, mallory.now, new Map());
  if (!planted.ok) throw new Error(planted.reason);
  await mallory.replica.commit(planted.value);

  carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
  carol.replica = createMemoryReplica();
  const events: OwnRecoveryEvent[] = [];
  const named = [...holders, 'mallory'];
  carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named, ...deps(carol), setTimer: () => () => {}, waitMs: 120_000, onEvent: (e) => events.push(e) });
  await carol.replica.setRecovering(true);
  return { carol, mallory, friends, real, events };
}

describe('a named friend serving another wall in one\'s name (§8 step 3)', () => {
  it('does not win by being longer: the wall more friends hold is kept and the other named plainly', async () => {
    const { carol, mallory, friends, real, events } = await carolAndAFake(['alice', 'bob']);
    for (const f of [mallory, ...friends]) await askAndConfirm(carol, f);
    await connect(carol, mallory); // mallory answers first
    for (const f of friends) await connect(carol, f);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', disagreeing: [], otherWalls: ['mallory'] });
    expect((await ids(carol, 'carol')).slice(0, 2)).toEqual(real);
  });

  it('on a tie keeps the wall of the friend who answered first', async () => {
    const { carol, mallory, friends, real, events } = await carolAndAFake(['alice']);
    for (const f of [...friends, mallory]) await askAndConfirm(carol, f);
    await connect(carol, friends[0]!);
    await connect(carol, mallory);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', disagreeing: [], otherWalls: ['mallory'] });
    expect((await ids(carol, 'carol')).slice(0, 2)).toEqual(real);
  });
});
