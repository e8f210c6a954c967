import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { createMemoryReplica } from '../../core/memoryReplica';
import { sealHash, sealOf } from '../../core/seal';
import { signFork } from '../../core/forkStatement';
import { befriend, connect, makeUser, post, text, type User } from './support/world';

/** Bytes `bob` sends in one session with `alice`, after `inject` frames are added behind bob's first `want`. */
async function sessionBytes(alice: User, bob: User, inject: Uint8Array[]): Promise<{ bytes: number; wantsOfAlice: number[] }> {
  let bytes = 0;
  let injected = false;
  const wantsOfAlice: number[] = [];
  await connect(alice, bob, {
    tap: (f, from) => {
      const m = decodeMessage(f);
      if (from === 'a' && m.ok && m.value.type === 'want' && m.value.wall === 'alice') wantsOfAlice.push(m.value.afterSeq);
      if (from === 'b') bytes += f.length;
      if (injected || from !== 'b' || !m.ok || m.value.type !== 'want') return [f];
      injected = true;
      return [f, ...inject];
    },
  });
  return { bytes, wantsOfAlice };
}

describe('an unfounded `fork` of the owner\'s wall (docs/protocol.md §8 Forks step 1)', () => {
  it('makes the owner ask for one entry before what the friend holds, not pull and check its whole wall', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    await befriend(alice, bob);
    for (let i = 0; i < 300; i++) await post(alice, text(`post ${i} ` + 'x'.repeat(200)));
    await connect(alice, bob);
    const quiet = await sessionBytes(alice, bob, []);
    const fork = encodeMessage({ type: 'fork', wall: 'alice' });
    const probed = await sessionBytes(alice, bob, [fork, fork, fork]);
    expect(probed.bytes).toBeLessThan(quiet.bytes * 2);
    expect(probed.wantsOfAlice).toEqual([299, 299]); // the session's own probe, then the one `fork` earned
    expect(alice.events.some((e) => e.type === 'forkRepaired' || e.type === 'forkUnrepaired')).toBe(false);
  });

  it('still pulls and repairs a fork only the friend sees: its copy is shorter and the owner\'s own probe passes it', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    await befriend(alice, bob);
    await post(alice, text('one'));
    await post(alice, text('two'));
    await connect(alice, bob);
    // alice's browser is restored from a copy made at 1; she writes three more posts, so her head passes bob's.
    const [first] = await alice.replica.entriesAfter('alice', 0, 1);
    const restored = createMemoryReplica();
    const state = (await alice.replica.wallState('alice'))!;
    const head = { ...state, seq: 1, sealHash: sealHash(sealOf(first!.header, first!.seq, first!.prev)) };
    const written = await restored.commit({ wall: 'alice', expectedSeq: 0, state: head, append: [first!], fillBodies: [], tombstone: [], feed: [] });
    if (!written.ok) throw new Error(written.reason);
    for (const f of await alice.replica.friends()) await restored.putFriend(f);
    alice.replica = restored;
    for (const t of ['two again', 'three', 'four']) await post(alice, text(t));

    const { wantsOfAlice } = await sessionBytes(alice, bob, []);
    expect(wantsOfAlice.slice(0, 3)).toEqual([3, 1, 0]); // own probe, the one bob's `fork` earned, the whole copy
    const repaired = alice.events.find((e) => e.type === 'forkRepaired');
    expect(repaired?.type === 'forkRepaired' && repaired.repair.seq).toBe(2);
    expect((await alice.replica.wallState('alice'))?.seq).toBe(5);
  });

  it('for a wall the friend serves is answered once per session, however often it comes', async () => {
    const alice = makeUser('alice', 'alice', { forks: true, media: true });
    const bob = makeUser('bob', 'bob', { forks: true, media: true });
    const carol = makeUser('carol', 'carol', { forks: true, media: true });
    await befriend(alice, bob);
    await befriend(alice, carol);
    await befriend(bob, carol);
    for (const [a, b] of [[alice, bob], [alice, carol], [bob, carol]] as const) (await connect(a, b)).a.close();
    await post(alice, text('one'));
    await connect(alice, bob);
    await bob.forks!.statements.keep(signFork({ wall: 'alice', seq: 1, replaced: new Uint8Array(32).fill(1), kept: new Uint8Array(32).fill(2) }, alice.identity.secretKey));
    const fork = encodeMessage({ type: 'fork', wall: 'alice' });
    let forkedFrames = 0;
    let injected = false;
    await connect(bob, carol, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from === 'a' && m.ok && m.value.type === 'forked') {
          forkedFrames++;
          return []; // carol asked for nothing herself: kept from her session
        }
        // Behind carol's passes, so bob knows she may read alice's wall through him (§7.5).
        if (injected || from !== 'b' || !m.ok || m.value.type !== 'heads') return [f];
        injected = true;
        return [f, fork, fork, fork, fork];
      },
    });
    expect(forkedFrames).toBe(1);
  });
});
