import { describe, expect, it } from 'vitest';
import { rotateKey, signDraft } from '../../core/author';
import { signFork, verifyFork, createMemoryForkStatements } from '../../core/forkStatement';
import { followForkStatement } from '../../core/forkRepair';
import type { Identity } from '../../core/identity';
import { sealHash, sealOf, signSeal, type SealedEntry } from '../../core/seal';
import { forksFrom } from '../../core/forksFrom';
import { pureVerifier } from '../../core/verifier';
import { befriend, connect, deps, makeUser, post, seededRandom, text, type User } from './support/world';

/** Another entry 2 of `wall`, chained to the reader's entry 1 and sealed by `key`: a second branch from 2 on. */
async function otherSecond(reader: User, wall: string, key: Identity): Promise<SealedEntry> {
  const [first] = await reader.replica.entriesAfter(wall, 0, 1);
  const signed = signDraft(key, wall, key.publicKey, text('another two'), { randomBytes: seededRandom('branch'), now: reader.now });
  if (!signed.ok) throw new Error(signed.reason);
  const seal = sealOf(signed.value.header, 2, sealHash(sealOf(first!.header, first!.seq, first!.prev)));
  return { ...signed.value, seq: 2, prev: seal.prev, ownerSig: signSeal(seal, key.secretKey) };
}

/** alice writes 1–2, rotates at 3 (the thief keeps her old key) and writes 4 under the new one; carol holds 1–4. */
async function rotatedWorld() {
  const alice = makeUser('alice', 'alice', { forks: true });
  const carol = makeUser('carol', 'carol', { forks: true });
  await befriend(alice, carol);
  await post(alice, text('one'));
  await post(alice, text('two'));
  const retired = alice.identity;
  const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
  if (!rotated.ok) throw new Error(rotated.reason);
  alice.identity = rotated.value;
  await post(alice, text('four, under the new key'));
  await connect(alice, carol);
  expect((await carol.replica.wallState('alice'))?.seq).toBe(4);
  return { alice, carol, retired };
}

describe('a fork under a key the owner no longer uses (docs/protocol.md §8 Forks)', () => {
  it('a statement signed by a key alice rotated away from is refused and truncates nothing', async () => {
    const { carol, retired } = await rotatedWorld();
    const [e1] = await carol.replica.entriesAfter('alice', 0, 1);
    const forged = signFork({ wall: 'alice', seq: 1, replaced: sealHash(sealOf(e1!.header, e1!.seq, e1!.prev)), kept: new Uint8Array(32).fill(9) }, retired.secretKey);
    const statements = createMemoryForkStatements();
    expect(await followForkStatement(carol.replica, statements, forged, verifyFork)).toBe('refused');
    expect((await carol.replica.wallState('alice'))?.seq).toBe(4);
    expect(await statements.held('alice')).toEqual([]);
  });

  it('a branch sealed by a retired key is no fork: the reader refuses the batch instead of asking for statements', async () => {
    const alice = makeUser('alice', 'alice', { forks: true });
    const carol = makeUser('carol', 'carol', { forks: true });
    await befriend(alice, carol);
    await post(alice, text('one'));
    await post(alice, text('two'));
    await connect(alice, carol);
    const pin = async () => (await carol.replica.friend('alice'))!.key;
    // While that key is alice's current one, another entry 2 it sealed is a fork (the control).
    const underCurrent = await otherSecond(carol, 'alice', alice.identity);
    expect(await forksFrom(carol.replica, 'alice', [underCurrent], pureVerifier, await pin())).toBe(true);

    const retired = alice.identity;
    const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
    if (!rotated.ok) throw new Error(rotated.reason);
    alice.identity = rotated.value;
    await connect(alice, carol);
    expect((await carol.replica.wallState('alice'))?.seq).toBe(3);
    const underRetired = await otherSecond(carol, 'alice', retired);
    expect(await forksFrom(carol.replica, 'alice', [underRetired], pureVerifier, await pin())).toBe(false);
    // Not even when a batch starts past the rotation's position: the copy's own key is no longer the pin's.
    expect(await forksFrom(carol.replica, 'alice', [underRetired], pureVerifier, retired.publicKey)).toBe(false);
  });
});
