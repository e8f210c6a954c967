import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptSubmission, rotateKey, signDraft } from '../../core/author';
import { verifyAuthor, type EntryHeader } from '../../core/entry';
import { planIngest } from '../../core/ingest';
import { type KnownAuthors, knownAuthors } from '../../core/knownAuthors';
import { createMemoryReplica } from '../../core/memoryReplica';
import type { StoredEntry } from '../../core/replica';
import { rotateIdentity } from '../../core/identity';
import { followsFromPinned, type RotationStatement, signRotation, verifyRotation, verifyRotationChain } from '../../core/rotation';
import { type SealedEntry, sealHash, sealOf, signSeal } from '../../core/seal';
import { publicKeyOf } from '../../core/signing';
import { createVerifier, pureVerifier, type Verifier } from '../../core/verifier';
import { buildWallView } from '../../core/wallView';
import { befriend, connect, deps, makeUser, post, queue, text, type User } from './support/world';

const nativeVerifier = createVerifier({ subtle: globalThis.crypto.subtle });
let alice: User;
let bob: User;
let log: StoredEntry[];

/** Stores alice's wall in a fresh replica, checking that the native verifier plans exactly what the pure one does. */
async function ingestFresh(entries: readonly SealedEntry[], anchor = alice.identity.publicKey, known: KnownAuthors = new Map()) {
  const replica = createMemoryReplica();
  const plan = await planIngest(replica, 'alice', entries, anchor, () => 1, known);
  expect(await planIngest(createMemoryReplica(), 'alice', entries, anchor, () => 1, known, { verifier: nativeVerifier })).toEqual(plan);
  if (plan.ok) expect((await replica.commit(plan.value)).ok).toBe(true);
  return { plan, replica };
}

beforeAll(async () => {
  alice = makeUser('alice');
  bob = makeUser('bob');
  await befriend(alice, bob);
  const first = await post(alice, text('first'));
  await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'hi from bob', media: [] } });
  await queue(bob, 'alice', { kind: 'comment', target: first.id, body: { text: 'nice' } });
  await connect(alice, bob);
  await post(alice, { kind: 'like', target: first.id, body: null });
  await post(alice, { kind: 'edit', target: first.id, body: { text: 'first, edited', media: [] } });
  log = await alice.replica.entriesAfter('alice', 0, 100);
});

const HEADER_FIELDS: (keyof EntryHeader)[] = [
  'kind', 'wall', 'wallKey', 'author', 'authorKey', 'createdAt', 'nonce', 'target', 'bodyHash', 'bodySize',
];

function mutateField(h: EntryHeader, field: keyof EntryHeader, salt: number): EntryHeader {
  const flip = (b: Uint8Array) => b.map((x, i) => (i === salt % b.length ? x ^ (1 + (salt % 255)) : x));
  switch (field) {
    case 'kind':
      return { ...h, kind: h.kind === 'comment' ? 'post' : 'comment' };
    case 'wall':
      return { ...h, wall: h.wall + 'x' };
    case 'author':
      return { ...h, author: h.author === 'alice' ? 'bob' : 'alice' };
    case 'createdAt':
      return { ...h, createdAt: h.createdAt + 1 + salt };
    case 'bodySize':
      return { ...h, bodySize: h.bodySize + 1 };
    case 'target':
      return { ...h, target: h.target ? null : new Uint8Array(32).fill(salt % 256) };
    default:
      return { ...h, [field]: flip(h[field] as Uint8Array) };
  }
}

describe('signatures', () => {
  it('accepts the untouched log on a fresh replica', async () => {
    expect(log.map((e) => e.header.kind)).toEqual(['post', 'wallPost', 'comment', 'like', 'edit']);
    const { plan } = await ingestFresh(log);
    expect(plan.ok).toBe(true);
  });

  it('checks the signatures of a whole run at once, before the rules take it in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const verifier: Verifier = {
      async verify(...args) {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return pureVerifier.verify(...args);
      },
    };
    const plan = await planIngest(createMemoryReplica(), 'alice', log, alice.identity.publicKey, () => 1, new Map(), { verifier });
    expect(plan.ok).toBe(true);
    expect(peak).toBe(2 * log.length);
  });

  it('rejects a change to any header field of any entry, and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(log.length - 1), fc.constantFrom(...HEADER_FIELDS), fc.nat(), async (index, field, salt) => {
        const tampered = log.map((e, i) => (i === index ? { ...e, header: mutateField(e.header, field, salt) } : e));
        const { plan, replica } = await ingestFresh(tampered);
        expect(plan.ok).toBe(false);
        expect(await replica.wallState('alice')).toBeNull();
      }),
      { numRuns: 60 },
    );
  }, 30_000);

  it('rejects a changed body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(2), fc.nat(), async (index, at) => {
        const e = log[index]!;
        const body = e.body!.map((b, i) => (i === at % e.body!.length ? b ^ 0x20 : b));
        const { plan } = await ingestFresh(log.map((x, i) => (i === index ? { ...x, body } : x)));
        expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
      }),
      { numRuns: 20 },
    );
  });

  it('rejects a changed order', async () => {
    const [a, b, ...rest] = log;
    const swapped = [{ ...b!, seq: a!.seq, prev: a!.prev }, { ...a!, seq: b!.seq, prev: b!.prev }, ...rest];
    expect((await ingestFresh(swapped)).plan.ok).toBe(false);
    const skipped = [log[0]!, log[2]!];
    expect((await ingestFresh(skipped)).plan).toMatchObject({ ok: false, reason: expect.stringContaining('gap') });
  });

  it('rejects an entry whose author is forged, even when the forger signs it', async () => {
    const mallory = makeUser('mallory');
    const wallPost = log[1]!;
    const forged = signDraft({ ...mallory.identity, handle: 'bob' }, 'alice', alice.identity.publicKey, { kind: 'wallPost', body: { text: 'hi from bob', media: [] } }, deps(mallory));
    if (!forged.ok) throw new Error(forged.reason);
    const tampered = log.map((e) => (e === wallPost ? { ...wallPost, ...forged.value } : e));
    // alice's seal is over the genuine entry's id, so the seal is what gives it away here (a re-sealed
    // forgery is validity.test.ts's "authors the reader knows").
    expect((await ingestFresh(tampered)).plan).toMatchObject({ ok: false, reason: expect.stringContaining('not sealed by the wall') });
    // The owner also refuses to seal it: the key is not the one pinned for @bob.
    const accepted = await acceptSubmission(alice.replica, alice.identity, 'bob', forged.value, alice.now);
    expect(accepted).toMatchObject({ ok: false, reason: expect.stringContaining('pinned key') });
  });

  it('rejects an entry the owner sealed whose author signature is bad, naming the author signature', async () => {
    // The seal covers the entry id (the header), not the author signature, so it still verifies.
    const wallPost = log[1]!;
    const badSig = { ...wallPost, authorSig: wallPost.authorSig.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const { plan, replica } = await ingestFresh(log.map((e) => (e === wallPost ? badSig : e)));
    expect(plan).toEqual({ ok: false, reason: 'entry 2 of @alice has an invalid author signature' });
    expect(await replica.wallState('alice')).toBeNull();
  });

  it('rejects entries sealed by someone other than the owner', async () => {
    const mallory = makeUser('mallory');
    const resealed = log.map((e) => {
      const seal = sealOf(e.header, e.seq, e.prev);
      return { ...e, ownerSig: signSeal(seal, mallory.identity.secretKey) };
    });
    expect((await ingestFresh(resealed)).plan).toMatchObject({ ok: false, reason: expect.stringContaining('not sealed') });
  });

  it("rejects an entry sealed by the key it addresses when that is not the wall's current key", async () => {
    // The seal is checked ahead with `wallKey`; that verdict must not stand in for the current key's.
    const mallory = makeUser('mallory');
    const signed = signDraft(mallory.identity, 'alice', mallory.identity.publicKey, text('mine now'), deps(mallory));
    if (!signed.ok) throw new Error(signed.reason);
    const last = log.at(-1)!;
    const prev = sealHash(sealOf(last.header, last.seq, last.prev));
    const seal = sealOf(signed.value.header, last.seq + 1, prev);
    const entry: SealedEntry = { ...signed.value, seq: seal.seq, prev, ownerSig: signSeal(seal, mallory.identity.secretKey) };
    const { plan } = await ingestFresh([...log, entry]);
    expect(plan).toEqual({ ok: false, reason: `entry ${seal.seq} of @alice is not sealed by the wall's owner` });
  });

  it('keeps a deleted entry verifiable after its body is dropped', async () => {
    const carol = makeUser('carol');
    await befriend(carol, bob);
    const doomed = await post(carol, text('oops'));
    await post(carol, { kind: 'edit', target: doomed.id, body: { text: 'oops!', media: [] } });
    await post(carol, { kind: 'delete', target: doomed.id, body: null });
    const stored = await carol.replica.entriesAfter('carol', 0, 10);
    expect(stored[0]).toMatchObject({ tombstoned: true, body: null });
    expect(stored[1]).toMatchObject({ tombstoned: true, body: null });
    expect(verifyAuthor(stored[0]!)).toBe(true);
    const reader = createMemoryReplica();
    const plan = await planIngest(reader, 'carol', stored, carol.identity.publicKey, () => 1, new Map());
    expect(plan.ok).toBe(true);
    expect(buildWallView('carol', stored).posts).toEqual([]);
  });

  it('lets a replayed old edit lose', async () => {
    const dave = makeUser('dave');
    const p = await post(dave, text('v1'));
    const oldEdit = await post(dave, { kind: 'edit', target: p.id, body: { text: 'v2', media: [] } });
    await post(dave, { kind: 'edit', target: p.id, body: { text: 'v3', media: [] } });
    // Replaying the old edit at its own position is a duplicate, never a new entry.
    const replay = await planIngest(dave.replica, 'dave', [oldEdit], dave.identity.publicKey, dave.now, knownAuthors(dave.identity, []));
    expect(replay.ok && replay.value.append).toEqual([]);
    // Re-sealing it at the head is refused: it is already on the wall.
    const resubmitted = await acceptSubmission(dave.replica, dave.identity, 'dave', oldEdit, dave.now);
    expect(resubmitted.ok).toBe(true);
    const after = await dave.replica.entriesAfter('dave', 0, 10);
    expect(after).toHaveLength(3);
    expect(buildWallView('dave', after).posts[0]?.text).toBe('v3');
    // Moved to a later position it no longer matches its seal.
    const head = (await dave.replica.wallState('dave'))!;
    const moved = await planIngest(dave.replica, 'dave', [{ ...oldEdit, seq: head.seq + 1, prev: head.sealHash }], dave.identity.publicKey, dave.now, knownAuthors(dave.identity, []));
    expect(moved.ok).toBe(false);
  });

  it('requires a rotation statement to be signed by the old key', async () => {
    const erin = makeUser('erin');
    const stranger = makeUser('stranger');
    const nextSecret = erin.randomBytes(32);
    const good = signRotation('erin', erin.identity.secretKey, erin.identity.publicKey, nextSecret, publicKeyOf(nextSecret), 1);
    expect(verifyRotation(good)).toBe(true);
    const notOld = signRotation('erin', stranger.identity.secretKey, erin.identity.publicKey, nextSecret, publicKeyOf(nextSecret), 1);
    expect(verifyRotation(notOld)).toBe(false);
    const notNew = signRotation('erin', erin.identity.secretKey, erin.identity.publicKey, stranger.identity.secretKey, publicKeyOf(nextSecret), 1);
    expect(verifyRotation(notNew)).toBe(false);
  });

  it('accepts only a rotation history that links, moves forward and ends at the presented key', () => {
    const gil = makeUser('gil');
    const one = rotateIdentity(gil.identity, 3, gil.randomBytes);
    const two = rotateIdentity(one.identity, 7, gil.randomBytes);
    const [s1, s2] = two.identity.rotations as [RotationStatement, RotationStatement];
    expect(verifyRotationChain('gil', [s1, s2], two.identity.publicKey)).toEqual({ ok: true, value: { genesis: gil.identity.publicKey, current: two.identity.publicKey } });
    expect(verifyRotationChain('gil', [s1, s2], one.identity.publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('does not end') });
    expect(verifyRotationChain('gil', [s2], two.identity.publicKey).ok).toBe(true);
    expect(verifyRotationChain('gil', [s2, s1], one.identity.publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('out of order') });
    expect(verifyRotationChain('other', [s1, s2], two.identity.publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('another handle') });
    const skip = rotateIdentity(gil.identity, 9, gil.randomBytes).statement;
    expect(verifyRotationChain('gil', [s1, skip], skip.newKey)).toMatchObject({ ok: false, reason: expect.stringContaining('broken') });
    // A pinned key is followed to a later key only through the history.
    expect(followsFromPinned('gil', gil.identity.publicKey, two.identity.publicKey, [s1, s2])).toBe(true);
    expect(followsFromPinned('gil', one.identity.publicKey, two.identity.publicKey, [s2])).toBe(true);
    expect(followsFromPinned('gil', gil.identity.publicKey, two.identity.publicKey, [s2])).toBe(false);
  });

  it('continues a wall across a key rotation, and refuses a rotation entry the old key did not sign', async () => {
    const fay = makeUser('fay');
    await post(fay, text('before'));
    const before = fay.identity;
    const rotated = await rotateKey(fay.replica, fay.identity, deps(fay));
    if (!rotated.ok) throw new Error(rotated.reason);
    fay.identity = rotated.value;
    await post(fay, text('after'));
    const wall = await fay.replica.entriesAfter('fay', 0, 10);
    expect(wall.map((e) => e.header.kind)).toEqual(['post', 'rotate', 'post']);
    const genesis = rotated.value.rotations[0]!.oldKey;
    // A friend who pinned fay follows her history: her entries under the old key are still hers.
    const pin = { handle: 'fay', key: rotated.value.publicKey, rotations: rotated.value.rotations, since: 0 };
    const plan = await planIngest(createMemoryReplica(), 'fay', wall, genesis, () => 1, knownAuthors(makeUser('gus').identity, [pin]), { verifier: nativeVerifier });
    expect(plan.ok).toBe(true);
    // A rotate entry the owner signed and sealed, but whose statement a stranger signed in the old key's place.
    const stranger = makeUser('stranger2');
    const s = rotated.value.rotations[0]!;
    const forgedStatement = signRotation('fay', stranger.identity.secretKey, s.oldKey, rotated.value.secretKey, s.newKey, s.atSeq);
    const signed = signDraft(before, 'fay', before.publicKey, { kind: 'rotate', body: forgedStatement }, deps(fay));
    if (!signed.ok) throw new Error(signed.reason);
    const seal = sealOf(signed.value.header, 2, wall[1]!.prev);
    const forgedEntry: SealedEntry = { ...signed.value, seq: 2, prev: wall[1]!.prev, ownerSig: signSeal(seal, before.secretKey) };
    const refused = await planIngest(createMemoryReplica(), 'fay', [wall[0]!, forgedEntry], genesis, () => 1, new Map());
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('rotation statement is not valid') });
  });
});
