import { describe, expect, it } from 'vitest';
import { genesisKeyOf, signDraft } from '../../core/author';
import { createIdentity } from '../../core/identity';
import { planIngest } from '../../core/ingest';
import { knownAuthors } from '../../core/knownAuthors';
import { decodeMessage, encodeMessage, type PeerMessage } from '../../core/messages';
import { unfriend } from '../../core/friendship';
import { issuePass } from '../../core/readerPass';
import { createMemoryRelayStore, createWallPulls } from '../../core/relay';
import { checkRevocations, issueRevocations } from '../../core/revocations';
import type { StoredEntry } from '../../core/replica';
import { sealOf, signSeal } from '../../core/seal';
import type { SyncEvent } from '../../core/syncSession';
import { befriend, connect, makeUser, post, queue, seededRandom, text, type User } from './support/world';

// Attacks on protocol version 2 (§7.5) found in review: each test states what the spec promises.

const log = (u: User, wall: string): Promise<StoredEntry[]> => u.replica.entriesAfter(wall, 0, Number.MAX_SAFE_INTEGER);
const closes = (u: User) => u.events.filter((e): e is Extract<SyncEvent, { type: 'closed' }> => e.type === 'closed' && e.code !== null);

async function meetAll(pairs: [User, User][]): Promise<void> {
  for (const [a, b] of pairs) await befriend(a, b);
  for (const [a, b] of pairs) (await connect(a, b)).a.close();
}

describe('relay attacks', () => {
  it('(1) a friend of bob who is NOT alice’s friend gets bob’s pending entries for alice’s wall by answering `holds` falsely', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const dave = makeUser('dave'); // bob's friend, a stranger to alice
    await meetAll([[alice, bob], [bob, dave]]);
    await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'for alice’s friends only', media: [] } });
    const seenByDave: PeerMessage[] = [];
    // He cannot show a pass of alice's for himself, so he makes one up.
    const forged = issuePass({ ...dave.identity, handle: 'alice' }, { handle: 'dave', key: dave.identity.publicKey }, new Uint8Array(16), dave.now());
    await connect(bob, dave, {
      allowUnanswered: true,
      tap: (frame, from) => {
        const m = decodeMessage(frame);
        if (!m.ok) return [frame];
        if (from === 'a') seenByDave.push(m.value);
        // dave is not alice's friend, so his honest answer leaves alice out; he claims her wall anyway.
        if (from === 'b' && m.value.type === 'holds') return [encodeMessage({ type: 'holds', walls: [{ wall: 'alice', headSeq: 0, pass: forged }] })];
        return [frame];
      },
    });
    expect(seenByDave.filter((m) => m.type === 'carry')).toEqual([]);
  });

  it('(2) an owner poisons every holder of its wall: bob closes (invalid_batch, i.e. pauses) his session with honest carol', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    const dan = makeUser('dan'); // bob's friend; carol does not know him
    await meetAll([[alice, bob], [alice, carol], [bob, carol], [bob, dan]]);
    // alice seals a wall post "by dan" under a key dan never had (§6.1 lets an owner vouch for strangers).
    const fake = createIdentity('dan', seededRandom('not-dan'));
    const signed = signDraft(fake, 'alice', alice.identity.publicKey, { kind: 'wallPost', body: { text: 'not dan', media: [] } }, { randomBytes: alice.randomBytes, now: alice.now });
    if (!signed.ok) throw new Error(signed.reason);
    const seal = sealOf(signed.value.header, 1, new Uint8Array(32));
    const plan = await planIngest(alice.replica, 'alice', [{ ...signed.value, seq: 1, prev: seal.prev, ownerSig: signSeal(seal, alice.identity.secretKey) }],
      genesisKeyOf(alice.identity), alice.now, knownAuthors(alice.identity, []));
    if (!plan.ok) throw new Error(plan.reason);
    await alice.replica.commit(plan.value);
    (await connect(alice, carol)).a.close(); // carol cannot tell: she does not know dan
    expect(await log(carol, 'alice')).toHaveLength(1);
    await post(carol, text('carol’s own news'));
    bob.events = [];
    const link = await connect(bob, carol, { allowUnanswered: true });
    // bob may refuse alice's wall, but the session with carol (her wall, other walls) should survive.
    expect(closes(bob)).toEqual([]);
    expect(link.a.state).not.toBe('closed');
  });

  it('(3) a holder that learns alice’s wall over an already open session gets her revocation list first, and serves the ex-friend nothing', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    const dan = makeUser('dan');
    await meetAll([[alice, bob], [alice, carol], [alice, dan], [carol, dan], [bob, dan]]);
    await post(alice, text('before'));
    (await connect(alice, carol)).a.close();
    const carolDan = await connect(carol, dan); // stays open (e.g. both browsers running)
    await unfriend(alice.replica, 'bob', { store: alice.relay!.store, owner: alice.identity, now: alice.now() });
    await post(alice, text('after the unfriending'));
    (await connect(alice, carol)).a.close(); // carol gets the list first, then the post
    await carolDan.a.announceWall('alice');
    await carolDan.settle();
    expect(await log(dan, 'alice')).toHaveLength(2);
    carolDan.a.close();
    await connect(bob, dan); // bob has not heard and still shows his pass
    expect((await log(bob, 'alice')).map((e) => e.seq)).toEqual([]);
  });

  it('(4) a friend that claims a wall and never answers keeps bob from pulling it even from its owner', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    await meetAll([[alice, bob], [alice, carol], [bob, carol]]);
    await post(alice, text('bob should get this'));
    let t = 1_800_000_000_000;
    bob.relay = { store: bob.relay!.store, pulls: createWallPulls(() => t) };
    // carol (malicious) says she holds alice's wall far ahead and then never answers the want.
    const carolsPass = (await carol.relay!.store.passes()).find((p) => p.wall === 'alice')!;
    await connect(bob, carol, {
      allowUnanswered: true,
      tap: (frame, from) => {
        const m = decodeMessage(frame);
        if (from !== 'b' || !m.ok) return [frame];
        if (m.value.type === 'holds') return [encodeMessage({ type: 'holds', walls: [{ wall: 'alice', headSeq: 1_000, pass: carolsPass }] })];
        if (m.value.type === 'batch' && m.value.wall === 'alice') return [];
        return [frame];
      },
    });
    t += 5_000; // alice comes online a few seconds later
    const bobAlice = await connect(bob, alice);
    t += 10 * 60_000; // minutes pass; nothing asks again
    await bobAlice.settle();
    expect(await log(bob, 'alice')).toHaveLength(1);
  });

  it('(5) a carrier cannot reorder bob’s like and unlike: only wall posts and comments are carried', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    await meetAll([[alice, bob], [alice, carol], [bob, carol]]);
    const p = await post(alice, text('like me'));
    (await connect(alice, bob)).a.close();
    (await connect(alice, carol)).a.close();
    await queue(bob, 'alice', { kind: 'like', target: p.id, body: null });
    await queue(bob, 'alice', { kind: 'unlike', target: p.id, body: null });
    (await connect(bob, carol)).a.close();
    expect(await carol.relay!.store.carried('alice')).toHaveLength(0);
    await connect(alice, carol, {
      tap: (frame, from) => {
        const m = decodeMessage(frame);
        return from === 'b' && m.ok && m.value.type === 'submit' ? [encodeMessage({ ...m.value, entries: [...m.value.entries].reverse() })] : [frame];
      },
    });
    await connect(bob, alice); // bob's own submissions find both sealed already: "accepted"
    expect((await log(alice, 'alice')).map((e) => e.header.kind)).toEqual(['post', 'like', 'unlike']);
  });

  it('(6) an owner refuses a carried like: only wall posts and comments travel through friends', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    await meetAll([[alice, bob], [alice, carol], [bob, carol]]);
    const p = await post(alice, text('like me'));
    (await connect(alice, carol)).a.close();
    const like = signDraft(bob.identity, 'alice', alice.identity.publicKey, { kind: 'like', target: p.id, body: null }, { randomBytes: bob.randomBytes, now: bob.now });
    if (!like.ok) throw new Error(like.reason);
    const answers: PeerMessage[] = [];
    await connect(alice, carol, {
      tap: (frame, from) => {
        const m = decodeMessage(frame);
        if (from === 'a' && m.ok && m.value.type === 'submitted') answers.push(m.value);
        // an older or hostile carol submits bob's genuine like
        return from === 'b' && m.ok && m.value.type === 'pass' ? [frame, encodeMessage({ type: 'submit', entries: [like.value] })] : [frame];
      },
    });
    expect(answers).toMatchObject([{ type: 'submitted', results: [{ status: 'rejected', reason: 'only wall posts and comments travel through friends' }] }]);
    expect((await log(alice, 'alice')).map((e) => e.header.kind)).toEqual(['post']);
  });

  it('(7) a reinstalled owner takes its own newest revocation list back from a friend', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    await meetAll([[alice, bob], [alice, carol]]);
    await unfriend(alice.replica, 'bob', { store: alice.relay!.store, owner: alice.identity, now: alice.now() });
    (await connect(alice, carol)).a.close();
    const list = await alice.relay!.store.revocations('alice');
    alice.relay = { store: createMemoryRelayStore(), pulls: createWallPulls(alice.now) }; // the store was lost
    (await connect(alice, carol)).a.close();
    expect(await alice.relay.store.revocations('alice')).toEqual(list);
  });

  it('(8) a revocation list dated more than a day ahead is refused, so it cannot hold back later lists', () => {
    const alice = makeUser('alice');
    const now = 1_800_000_000_000;
    const ahead = issueRevocations(alice.identity, null, [], now + 2 * 24 * 3600_000);
    const soon = issueRevocations(alice.identity, null, [], now + 3600_000);
    expect(checkRevocations(ahead, 'alice', [alice.identity.publicKey], null, now)).toEqual({ ok: false, reason: 'the revocation list is dated more than a day ahead' });
    expect(checkRevocations(soon, 'alice', [alice.identity.publicKey], null, now)).toEqual({ ok: true, value: 'newer' });
  });
});
