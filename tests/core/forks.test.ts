import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFork, decodeFork, signFork, verifyFork, createMemoryForkStatements, type ForkStatement } from '../../core/forkStatement';
import { followForkStatement } from '../../core/forkRepair';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { createMemoryReplica } from '../../core/memoryReplica';
import type { Replica } from '../../core/replica';
import { sealHash, sealOf } from '../../core/seal';
import { befriend, connect, makeUser, post, queue, text, type User } from './support/world';

/** A copy of `u`'s replica as it stood at `upTo` of its own wall (a backup made then), friends included. */
async function staleCopy(u: User, upTo: number): Promise<Replica> {
  const me = u.identity.handle;
  const copy = createMemoryReplica();
  const entries = await u.replica.entriesAfter(me, 0, upTo);
  const state = (await u.replica.wallState(me))!;
  const last = entries.at(-1)!;
  const head = { ...state, seq: upTo, sealHash: sealHash(sealOf(last.header, last.seq, last.prev)) };
  const written = await copy.commit({ wall: me, expectedSeq: 0, state: head, append: entries, fillBodies: [], tombstone: [], feed: [] });
  if (!written.ok) throw new Error(written.reason);
  for (const f of await u.replica.friends()) await copy.putFriend(f);
  return copy;
}

const ids = async (u: User, wall: string) => (await u.replica.entriesAfter(wall, 0, 1000)).map((e) => e.id);

/**
 * alice writes 1–3 (carol pulls them), then 4–6 and seals bob's comment at 7 (bob pulls 1–7); her browser is
 * restored from the copy at 3, she writes 4'–5' and seals carol's comment on 4' at 6' (carol pulls those).
 */
async function forkedWorld() {
  const alice = makeUser('alice', 'alice', { forks: true, media: true });
  const bob = makeUser('bob', 'bob', { forks: true, media: true });
  const carol = makeUser('carol', 'carol', { forks: true, media: true });
  await befriend(alice, bob);
  await befriend(alice, carol);
  const first = await post(alice, text('one'));
  await post(alice, text('two'));
  await post(alice, text('three'));
  await connect(alice, carol);
  const backup = await staleCopy(alice, 3);
  const longBranch = [await post(alice, text('four')), await post(alice, text('five')), await post(alice, text('six'))];
  await queue(bob, 'alice', { kind: 'comment', target: first.id, body: { text: 'nice' } });
  await connect(alice, bob);
  alice.replica = backup;
  const here = [await post(alice, text('four, again')), await post(alice, text('five, again'))];
  const carolComment = await queue(carol, 'alice', { kind: 'comment', target: here[0]!.id, body: { text: 'welcome back' } });
  await connect(alice, carol);
  const bobBranch = (await bob.replica.entriesAfter('alice', 3, 100)).map((e) => e.id);
  const carolBranch = (await carol.replica.entriesAfter('alice', 3, 100)).map((e) => e.id);
  return { alice, bob, carol, first, longBranch, here, carolComment, bobBranch, carolBranch };
}

describe('a fork of a wall (§8 Forks)', () => {
  it('is repaired by the owner and every replica converges to one log holding both branches', async () => {
    const w = await forkedWorld();
    const { alice, bob, carol } = w;
    expect(w.bobBranch).toHaveLength(4);
    expect(w.carolBranch).toEqual([...w.here.map((e) => e.id), w.carolComment]);

    await connect(alice, bob);
    const repaired = alice.events.find((e) => e.type === 'forkRepaired');
    expect(repaired).toMatchObject({ friend: 'bob', repair: { seq: 4, kept: 'friend', resealed: 3, leftOut: 0 } });
    expect(await ids(bob, 'alice')).toEqual(await ids(alice, 'alice'));
    // Only bob's branch is news here: what alice wrote herself raises no notices again.
    if (repaired?.type === 'forkRepaired') expect(repaired.repair.news.map((e) => e.id)).toEqual(w.bobBranch);

    await connect(alice, carol);
    expect(carol.events).toContainEqual({ type: 'forkFollowed', wall: 'alice', seq: 4 });
    expect(carol.events.filter((e) => e.type === 'closed' && e.code !== null)).toEqual([]);

    const log = await ids(alice, 'alice');
    expect(log).toHaveLength(10);
    expect(new Set(log).size).toBe(10);
    expect(log.slice(3, 7)).toEqual(w.bobBranch);
    expect(log.slice(7)).toEqual(w.carolBranch);
    expect(await ids(bob, 'alice')).toEqual(log);
    expect(await ids(carol, 'alice')).toEqual(log);
    // Ids cover headers only: carol's comment still answers the re-sealed post.
    const comment = await carol.replica.entryById('alice', w.carolComment);
    expect(comment?.seq).toBe(10);
    expect((await carol.replica.entriesTargeting('alice', w.here[0]!.id)).map((e) => e.id)).toEqual([w.carolComment]);
    // A new post continues the repaired wall, and everybody takes it.
    const next = await post(alice, text('after the repair'));
    expect(next.seq).toBe(11);
    await connect(alice, bob);
    await connect(alice, carol);
    expect(await ids(bob, 'alice')).toEqual([...log, next.id]);
    expect(await ids(carol, 'alice')).toEqual([...log, next.id]);
  });

  it('keeps the owner\'s own branch when it is the longer one and re-seals the friend\'s after it', async () => {
    const w = await forkedWorld();
    const { alice, carol } = w;
    // Carol's copy (the branch written after the restore, 3 entries) meets the owner first: it forks from
    // nothing alice holds, since alice holds that branch herself; then bob's longer copy wins.
    await post(alice, text('seven, again'));
    await post(alice, text('eight, again'));
    await connect(alice, w.bob);
    const repaired = alice.events.find((e) => e.type === 'forkRepaired');
    expect(repaired).toMatchObject({ repair: { seq: 4, kept: 'own', resealed: 4 } });
    await connect(alice, carol);
    const log = await ids(alice, 'alice');
    expect(log).toHaveLength(12);
    expect(new Set(log).size).toBe(12);
    expect(await ids(w.bob, 'alice')).toEqual(log);
    expect(await ids(carol, 'alice')).toEqual(log);
  });
});

describe('a fork statement', () => {
  async function repairedWorld() {
    const w = await forkedWorld();
    await connect(w.alice, w.bob);
    const repaired = w.alice.events.find((e) => e.type === 'forkRepaired');
    if (repaired?.type !== 'forkRepaired') throw new Error('not repaired');
    return { ...w, statement: repaired.repair.statement };
  }

  it('encodes, decodes and travels in a forked frame', async () => {
    const { statement } = await repairedWorld();
    expect(decodeFork(encodeFork(statement))).toEqual({ ok: true, value: statement });
    expect(decodeMessage(encodeMessage({ type: 'forked', statement }))).toEqual({ ok: true, value: { type: 'forked', statement } });
    expect(decodeMessage(encodeMessage({ type: 'fork', wall: 'alice' }))).toEqual({ ok: true, value: { type: 'fork', wall: 'alice' } });
  });

  it('signed by another key than the owner\'s is refused and changes nothing', async () => {
    const { carol, bob, statement } = await repairedWorld();
    const before = await ids(carol, 'alice');
    const forged: ForkStatement = signFork({ wall: 'alice', seq: statement.seq, replaced: statement.replaced, kept: statement.kept }, bob.identity.secretKey);
    const statements = createMemoryForkStatements();
    expect(await followForkStatement(carol.replica, statements, forged, verifyFork)).toBe('refused');
    const tampered = { ...statement, kept: new Uint8Array(32).fill(7) };
    expect(await followForkStatement(carol.replica, statements, tampered, verifyFork)).toBe('refused');
    expect(await ids(carol, 'alice')).toEqual(before);
    expect(await statements.held('alice')).toEqual([]);
  });

  it('replayed to a copy that never held the replaced entry changes nothing', async () => {
    const { bob, carol, statement } = await repairedWorld();
    const bobBefore = await ids(bob, 'alice');
    expect(await followForkStatement(bob.replica, createMemoryForkStatements(), statement, verifyFork)).toBe('kept');
    expect(await ids(bob, 'alice')).toEqual(bobBefore);
    // Once followed, the same statement again is a no-op.
    const statements = createMemoryForkStatements();
    expect(await followForkStatement(carol.replica, statements, statement, verifyFork)).toBe('applied');
    await connect(carol, bob); // carol pulls nothing of alice from bob here (not a relay pass); her copy is at 3
    const after = await ids(carol, 'alice');
    expect(await followForkStatement(carol.replica, statements, statement, verifyFork)).toBe('unrelated');
    expect(await ids(carol, 'alice')).toEqual(after);
    // Moved to another position of the wall, it no longer verifies.
    const moved = { ...statement, seq: 2 };
    expect(await followForkStatement(bob.replica, createMemoryForkStatements(), moved, verifyFork)).toBe('unrelated');
    expect(await ids(bob, 'alice')).toEqual(bobBefore);
  });

  it('sent unasked by someone else than the wall\'s owner closes the session with bad_message and changes nothing', async () => {
    const { bob, carol, statement } = await repairedWorld();
    await befriend(bob, carol);
    const before = await ids(carol, 'alice');
    await connect(bob, carol, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        return from === 'a' && m.ok && m.value.type === 'auth' ? [f, encodeMessage({ type: 'forked', statement })] : [f];
      },
    });
    expect(carol.events).toContainEqual(expect.objectContaining({ type: 'closed', code: 'bad_message' }));
    expect(await ids(carol, 'alice')).toEqual(before);
  });

  it('reaches a friend on the replaced branch through a friend who serves the wall, without the owner', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    const carol = makeUser('carol', 'carol', { forks: true, media: true });
    await befriend(alice, bob);
    await befriend(alice, carol);
    await befriend(bob, carol);
    for (const [a, b] of [[alice, bob], [alice, carol], [bob, carol]] as const) (await connect(a, b)).a.close();
    await post(alice, text('one'));
    const backup = await staleCopy(alice, 1);
    await post(alice, text('two'));
    await post(alice, text('three'));
    (await connect(alice, bob)).a.close();
    alice.replica = backup;
    await post(alice, text('two, again'));
    (await connect(alice, carol)).a.close();
    (await connect(alice, bob)).a.close(); // repaired; bob keeps the statement alice sends
    expect((await bob.forks!.statements.held('alice')).map((s) => s.seq)).toEqual([2]);

    await connect(bob, carol); // alice is offline

    expect(carol.events).toContainEqual({ type: 'forkFollowed', wall: 'alice', seq: 2 });
    const log = await ids(alice, 'alice');
    expect(log).toHaveLength(4);
    expect(await ids(carol, 'alice')).toEqual(log);
  });
});

describe('a batch that does not continue the copy held', () => {
  it('is refused as invalid, without a fork, when the owner did not seal it', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    await befriend(alice, bob);
    await post(alice, text('one'));
    await connect(alice, bob);
    await post(alice, text('two'));
    const before = await ids(bob, 'alice');
    // The batch's entry 2 claims another previous entry: its seal no longer verifies.
    await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from !== 'a' || !m.ok || m.value.type !== 'batch' || m.value.wall !== 'alice' || m.value.entries.length === 0) return [f];
        const entries = m.value.entries.map((e) => ({ ...e, prev: new Uint8Array(32).fill(9) }));
        return [encodeMessage({ ...m.value, entries })];
      },
    });
    expect(bob.events).toContainEqual(expect.objectContaining({ type: 'closed', code: 'invalid_batch' }));
    expect(bob.events.some((e) => e.type === 'forkFollowed')).toBe(false);
    expect(await ids(bob, 'alice')).toEqual(before);
  });
});

describe('repairing forks, whatever their shape', () => {
  it('ends with the owner and both friends holding one log with every entry of both branches once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.boolean(),
        async (prefix, longer, here, bobFirst, carolComments) => {
          const alice = makeUser('alice', 'alice', { forks: true, media: true });
          const bob = makeUser('bob', 'bob', { forks: true, media: true });
          const carol = makeUser('carol', 'carol', { forks: true, media: true });
          await befriend(alice, bob);
          await befriend(alice, carol);
          for (let i = 0; i < prefix; i++) await post(alice, text(`before ${i}`));
          await connect(alice, carol);
          const backup = await staleCopy(alice, prefix);
          for (let i = 0; i < longer; i++) await post(alice, text(`there ${i}`));
          await connect(alice, bob);
          alice.replica = backup;
          const written = [];
          for (let i = 0; i < here; i++) written.push(await post(alice, text(`here ${i}`)));
          if (carolComments) await queue(carol, 'alice', { kind: 'comment', target: written[0]!.id, body: { text: 'hi' } });
          await connect(alice, carol);
          const branches = new Set([...(await ids(bob, 'alice')), ...(await ids(carol, 'alice'))]);

          for (let round = 0; round < 2; round++) {
            for (const friend of bobFirst ? [bob, carol] : [carol, bob]) await connect(alice, friend);
          }

          const log = await ids(alice, 'alice');
          expect(new Set(log).size).toBe(log.length);
          expect(new Set(log)).toEqual(branches);
          expect(await ids(bob, 'alice')).toEqual(log);
          expect(await ids(carol, 'alice')).toEqual(log);
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);
});
