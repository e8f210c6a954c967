import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { standingStatements } from '../../core/forkRepair';
import type { Replica } from '../../core/replica';
import { sealHash, sealOf } from '../../core/seal';
import { backup } from './support/backup';
import { befriend, connect, makeUser, post, text } from './support/world';

/** alice writes 1–4 (bob pulls them); her browser is restored from the copy at 1 and she writes 2'–3': bob's copy is longer. */
async function forkedWorld() {
  const alice = makeUser('alice', 'alice', { forks: true, media: true });
  const bob = makeUser('bob', 'bob', { forks: true, media: true });
  await befriend(alice, bob);
  await post(alice, text('one'));
  const restored = await backup(alice, 1);
  for (const t of ['two', 'three', 'four']) await post(alice, text(t));
  await connect(alice, bob);
  alice.replica = restored;
  for (const t of ['two again', 'three again']) await post(alice, text(t));
  return { alice, bob };
}

/** `replica` whose repair writes (`dropFrom`) go through `around` instead. */
const aroundRepairs = (replica: Replica, around: Replica['commit']): Replica => ({
  ...replica,
  commit: (write) => (write.dropFrom === undefined ? replica.commit(write) : around(write)),
});

describe('a crash around a repair that keeps the friend\'s branch (docs/protocol.md §8 Forks step 3)', () => {
  it('never leaves the repaired wall without its statement: the statement is kept before the write', async () => {
    const { alice, bob } = await forkedWorld();
    const base = alice.replica;
    const keptBefore: boolean[] = [];
    alice.replica = aroundRepairs(base, async (write) => {
      const first = write.append[0]!;
      const seal = sealHash(sealOf(first.header, first.seq, first.prev));
      keptBefore.push((await alice.forks!.statements.held('alice')).some((s) => s.seq === write.dropFrom && bytesEqual(s.kept, seal)));
      return base.commit(write);
    });
    await connect(alice, bob);
    expect(alice.events.find((e) => e.type === 'forkRepaired')).toMatchObject({ repair: { kept: 'friend', seq: 2 } });
    expect(keptBefore).toEqual([true]);
  });

  it('does not let a statement stand whose write never landed, and repairs again at the next session', async () => {
    const { alice, bob } = await forkedWorld();
    const base = alice.replica;
    alice.replica = aroundRepairs(base, async () => {
      throw new Error('the browser was closed');
    });
    await connect(alice, bob).catch(() => undefined);
    const statements = alice.forks!.statements;
    expect(await statements.held('alice')).toHaveLength(1);
    expect(await standingStatements(base, statements, 'alice')).toEqual([]);
    expect((await base.wallState('alice'))?.seq).toBe(3); // nothing of the repair landed

    alice.replica = base;
    await connect(alice, bob);
    expect(alice.events.filter((e) => e.type === 'forkRepaired')).toHaveLength(1);
    expect(await standingStatements(base, statements, 'alice')).toHaveLength(1);
    expect((await base.wallState('alice'))?.seq).toBe(6);
  });
});
