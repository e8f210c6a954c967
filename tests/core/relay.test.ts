import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/bytes';
import { unfriend } from '../../core/friendship';
import { LIMITS } from '../../core/limits';
import { decodeMessage, encodeMessage, type PeerMessage } from '../../core/messages';
import { checkPass, encodeReaderPass, issuePass } from '../../core/readerPass';
import { createSignatureCache } from '../../core/signatureCache';
import { createWallPulls } from '../../core/relay';
import type { StoredEntry } from '../../core/replica';
import type { SyncEvent } from '../../core/syncSession';
import { befriend, connect, makeUser, post, queue, text, type User } from './support/world';

const log = (u: User, wall: string): Promise<StoredEntry[]> => u.replica.entriesAfter(wall, 0, Number.MAX_SAFE_INTEGER);
const ids = async (u: User, wall: string) => (await log(u, wall)).map((e) => e.id);

/** Three friends of each other, who have each met once (so each holds the others' reader passes). */
async function trio(options: { bobRelays?: boolean } = {}) {
  const alice = makeUser('alice');
  const bob = makeUser('bob', 'bob', { relay: options.bobRelays ?? true });
  const carol = makeUser('carol');
  await befriend(alice, bob);
  await befriend(alice, carol);
  await befriend(bob, carol);
  for (const [a, b] of [[alice, bob], [alice, carol], [bob, carol]] as const) (await connect(a, b)).a.close();
  return { alice, bob, carol };
}

function refusals(u: User): Extract<SyncEvent, { type: 'relayRefused' }>[] {
  return u.events.filter((e): e is Extract<SyncEvent, { type: 'relayRefused' }> => e.type === 'relayRefused');
}

function closes(u: User): Extract<SyncEvent, { type: 'closed' }>[] {
  return u.events.filter((e): e is Extract<SyncEvent, { type: 'closed' }> => e.type === 'closed' && e.code !== null);
}

/** Adds `extra` frames after the first frame of `type` that `from` sends. */
function after(type: PeerMessage['type'], from: 'a' | 'b', extra: () => Uint8Array[]) {
  let done = false;
  return (frame: Uint8Array, sender: 'a' | 'b'): Uint8Array[] => {
    const m = decodeMessage(frame);
    if (done || sender !== from || !m.ok || m.value.type !== type) return [frame];
    done = true;
    return [frame, ...extra()];
  };
}

/** Replaces the frames of one type that `from` sends; everything else passes through. */
function rewrite(type: PeerMessage['type'], from: 'a' | 'b', change: (m: PeerMessage, frame: Uint8Array) => Uint8Array) {
  return (frame: Uint8Array, sender: 'a' | 'b'): Uint8Array[] => {
    const m = decodeMessage(frame);
    return sender === from && m.ok && m.value.type === type ? [change(m.value, frame)] : [frame];
  };
}

describe('relaying walls through mutual friends (protocol version 2)', () => {
  it('brings alice’s post to bob through carol, verified as if alice had sent it, marked via carol', async () => {
    const { alice, bob, carol } = await trio();
    const hello = await post(alice, text('posted while bob was away'));
    (await connect(alice, carol)).a.close();
    bob.events = [];
    await connect(bob, carol);
    expect(await ids(bob, 'alice')).toEqual(await ids(alice, 'alice'));
    const got = (await log(bob, 'alice')).find((e) => e.id === hello.id);
    expect(got?.via).toBe('carol');
    const update = bob.events.find((e) => e.type === 'wallUpdated' && e.wall === 'alice');
    expect(update).toMatchObject({ via: 'carol', feed: [{ op: 'put', row: { id: hello.id, via: 'carol' } }] });
    expect(bob.events).toContainEqual({ type: 'upToDate', wall: 'alice', seq: 1 });
  });

  it('passes news on live: carol’s new copy of alice’s wall reaches bob over an open session', async () => {
    const { alice, bob, carol } = await trio();
    const bobCarol = await connect(bob, carol);
    await post(alice, text('while bob and carol talk'));
    await connect(alice, carol);
    await bobCarol.b.announceWall('alice');
    await bobCarol.settle();
    expect(await ids(bob, 'alice')).toEqual(await ids(alice, 'alice'));
  });

  it('never serves a wall to a friend of the holder who is not the owner’s friend (dave)', async () => {
    const { alice, carol } = await trio();
    await post(alice, text('for friends only'));
    (await connect(alice, carol)).a.close();
    const dave = makeUser('dave');
    await befriend(carol, dave);
    await connect(carol, dave);
    expect(await log(dave, 'alice')).toEqual([]);
    // dave presents a pass he made himself, and then asks anyway.
    const forged = issuePass({ ...dave.identity, handle: 'alice' }, { handle: 'dave', key: dave.identity.publicKey }, new Uint8Array(16), dave.now());
    carol.events = [];
    const link = await connect(carol, dave, {
      allowUnanswered: true,
      tap: after('pass', 'b', () => [encodeMessage({ type: 'heads', passes: [forged] }), encodeMessage({ type: 'want', wall: 'alice', afterSeq: 0, max: 64 })]),
    });
    expect(refusals(carol)).toEqual([{ type: 'relayRefused', wall: 'alice', reason: "the pass is signed by a key that is not @alice's" }]);
    expect(closes(carol)).toMatchObject([{ code: 'not_allowed' }]);
    expect(link.a.state).toBe('closed');
    expect(await log(dave, 'alice')).toEqual([]);
  });

  it('checks each wall’s pass once per session, however often a friend shows it', async () => {
    const { alice, carol } = await trio();
    await post(alice, text('hi'));
    (await connect(alice, carol)).a.close();
    const dave = makeUser('dave');
    await befriend(carol, dave);
    const forged = issuePass({ ...dave.identity, handle: 'alice' }, { handle: 'dave', key: dave.identity.publicKey }, new Uint8Array(16), dave.now());
    const heads = encodeMessage({ type: 'heads', passes: Array.from({ length: LIMITS.headsPerFrame }, () => forged) });
    carol.events = [];
    await connect(carol, dave, { tap: after('pass', 'b', () => [heads, heads, heads]) });
    expect(refusals(carol)).toHaveLength(1);
  });

  it('refuses a pass shown by someone it was not issued to, and an expired one, saying why', async () => {
    const { alice, bob, carol } = await trio();
    await post(alice, text('hi'));
    (await connect(alice, carol)).a.close();
    const bobsPass = (await bob.relay!.store.passes()).find((p) => p.wall === 'alice')!;
    const dave = makeUser('dave');
    await befriend(carol, dave);
    carol.events = [];
    await connect(carol, dave, { tap: after('pass', 'b', () => [encodeMessage({ type: 'heads', passes: [bobsPass] })]) });
    expect(refusals(carol).map((e) => e.reason)).toEqual(['the pass was issued to @bob, not @dave']);

    // A week and a day later bob's Peerwall no longer shows the pass; a tampered one still would.
    const later = Math.max(carol.now(), bob.now()) + LIMITS.passLifetimeMs + 24 * 3600_000;
    carol.now = () => later;
    bob.now = () => later;
    carol.events = [];
    await connect(bob, carol, { tap: after('pass', 'a', () => [encodeMessage({ type: 'heads', passes: [bobsPass] })]) });
    expect(refusals(carol).map((e) => e.reason)).toEqual(['the pass has expired']);
    expect(await log(bob, 'alice')).toEqual([]);
  });

  it('refuses a relayed wall with one byte changed, keeping what bob held and the session with the relay', async () => {
    const { alice, bob, carol } = await trio();
    await post(alice, text('one'));
    (await connect(alice, carol)).a.close();
    await connect(bob, carol);
    await post(alice, text('two'));
    (await connect(alice, carol)).a.close();
    bob.events = [];
    await connect(bob, carol, {
      allowUnanswered: true,
      tap: rewrite('batch', 'b', (m, frame) => (m.type === 'batch' && m.wall === 'alice' && m.entries.length ? frame.map((x, i) => (i === frame.length - 70 ? x ^ 1 : x)) : frame)),
    });
    // carol only passed on what alice sealed, as far as bob can tell: his session with her stays up.
    expect(closes(bob)).toEqual([]);
    expect(refusals(bob)).toMatchObject([{ wall: 'alice', reason: expect.stringMatching(/entry 2 of @alice/) }]);
    expect(await log(bob, 'alice')).toHaveLength(1);
  });

  it('refuses a relayed wall whose chain is truncated at the front (a gap)', async () => {
    const { alice, bob, carol } = await trio();
    await post(alice, text('one'));
    await post(alice, text('two'));
    (await connect(alice, carol)).a.close();
    bob.events = [];
    await connect(bob, carol, {
      allowUnanswered: true,
      tap: rewrite('batch', 'b', (m, frame) => (m.type === 'batch' && m.wall === 'alice' && m.entries.length ? encodeMessage({ ...m, entries: m.entries.slice(1) }) : frame)),
    });
    expect(closes(bob)).toEqual([]);
    expect(refusals(bob)).toEqual([{ type: 'relayRefused', wall: 'alice', reason: 'entry 2 of @alice leaves a gap after 0' }]);
    expect(await log(bob, 'alice')).toEqual([]);
  });

  it('gives an ex-friend nothing written after the unfriending once the relay has heard of it', async () => {
    const { alice, bob, carol } = await trio();
    await post(alice, text('before'));
    (await connect(alice, carol)).a.close();
    (await connect(alice, bob)).a.close();
    await unfriend(alice.replica, 'bob', { store: alice.relay!.store, owner: alice.identity, now: alice.now() });
    // bob has not heard (his Peerwall was closed), so he still holds alice's pass and asks for her wall.
    (await connect(alice, carol)).a.close();
    await post(alice, text('after'));
    (await connect(alice, carol)).a.close();
    carol.events = [];
    await connect(bob, carol);
    // Neither serves the other: carol refuses bob's pass, and his pass as a holder.
    expect(refusals(carol).map((e) => e.reason)).toEqual([
      '@alice has revoked this pass',
      "@bob showed no valid pass of its own for @alice's wall: @alice has revoked this pass",
    ]);
    expect(await log(bob, 'alice')).toHaveLength(1);
    // bob learnt from carol that his pass is void, so he no longer shows it.
    expect((await bob.relay!.store.passes()).map((p) => p.wall)).toEqual(['carol']);
  });

  it('tells a friend already in session of the unfriending when the owner announces', async () => {
    const { alice, bob, carol } = await trio();
    const aliceCarol = await connect(alice, carol);
    await unfriend(alice.replica, 'bob', { store: alice.relay!.store, owner: alice.identity, now: alice.now() });
    await aliceCarol.a.announce();
    await aliceCarol.settle();
    const bobsTag = (await bob.relay!.store.passes()).find((p) => p.wall === 'alice')!.tag;
    expect((await carol.relay!.store.revocations('alice'))?.revoked.map((r) => toHex(r.tag))).toEqual([toHex(bobsTag)]);
  });

  it('a relay that has not heard of the unfriending holds nothing written after it', async () => {
    const { alice, bob, carol } = await trio();
    await post(alice, text('before'));
    (await connect(alice, carol)).a.close();
    await unfriend(alice.replica, 'bob', { store: alice.relay!.store, owner: alice.identity, now: alice.now() });
    await post(alice, text('after'));
    // carol never met alice after it, so she serves bob what she had: written before the unfriending.
    await connect(bob, carol);
    expect((await log(bob, 'alice')).map((e) => e.seq)).toEqual([1]);
  });

  it('carries bob’s wall post to alice through carol; alice seals it as bob’s; bob sees it delivered', async () => {
    const { alice, bob, carol } = await trio();
    const id = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'happy birthday', media: [] } });
    (await connect(bob, carol)).a.close();
    expect((await carol.relay!.store.carried('alice')).map((c) => c.id)).toEqual([id]);
    await connect(alice, carol);
    const sealed = (await log(alice, 'alice')).find((e) => e.id === id);
    expect(sealed).toMatchObject({ header: { author: 'bob', kind: 'wallPost' }, seq: 1 });
    expect(await ids(carol, 'alice')).toEqual([id]);
    expect(await carol.relay!.store.carried('alice')).toEqual([]);
    bob.events = [];
    await connect(bob, carol);
    expect(await ids(bob, 'alice')).toEqual([id]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
    expect(bob.events).toContainEqual({ type: 'delivered', wall: 'alice', id });
  });

  it('refuses to carry an entry that is not the sender’s own as signed', async () => {
    const { bob, carol } = await trio();
    await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'mine', media: [] } });
    carol.events = [];
    await connect(bob, carol, {
      allowUnanswered: true,
      tap: rewrite('carry', 'a', (m) => (m.type === 'carry' ? encodeMessage({ ...m, entries: m.entries.map((e) => ({ ...e, body: new Uint8Array([1, 2, 3]) })) }) : new Uint8Array())),
    });
    expect(closes(carol)).toMatchObject([{ code: 'bad_message', reason: '@bob asked to carry an entry that is not theirs as signed, or that may not be carried.' }]);
    expect(await carol.relay!.store.carried('alice')).toEqual([]);
  });

  it('carries at most 32 entries per author; the rest stay in the author’s outbox', async () => {
    const { bob, carol } = await trio();
    for (let i = 0; i < LIMITS.carriedPerAuthor + 3; i++) await queue(bob, 'alice', { kind: 'wallPost', body: { text: `note ${i}`, media: [] } });
    await connect(bob, carol);
    expect(await carol.relay!.store.carried('alice')).toHaveLength(LIMITS.carriedPerAuthor);
    expect(await bob.replica.outbox('alice')).toHaveLength(LIMITS.carriedPerAuthor + 3);
  });

  it('syncs directly with a peer that speaks version 1 only, in both directions, and relays nothing to it', async () => {
    const { alice, bob, carol } = await trio({ bobRelays: false });
    await post(alice, text('direct'));
    for (const [a, b] of [[alice, bob], [bob, alice]] as const) {
      a.events = [];
      (await connect(a, b)).a.close();
      expect(a.events.find((e) => e.type === 'ready')).toMatchObject({ version: 1 });
    }
    expect(await ids(bob, 'alice')).toEqual(await ids(alice, 'alice'));
    await post(alice, text('only through carol'));
    (await connect(alice, carol)).a.close();
    for (const [a, b] of [[bob, carol], [carol, bob]] as const) {
      a.events = [];
      (await connect(a, b)).a.close();
      expect(closes(a)).toEqual([]);
    }
    expect(await log(bob, 'alice')).toHaveLength(1);
  });
});

describe('the cache of verified passes', () => {
  it('skips the signature check only for the very bytes it verified, and forgets the oldest past its limit', () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const cache = createSignatureCache(2);
    const now = 1_700_000_000_000;
    const pass = issuePass(alice.identity, { handle: 'bob', key: bob.identity.publicKey }, new Uint8Array(16), now);
    const expect0 = { wall: 'alice', reader: 'bob', readerKey: bob.identity.publicKey, ownerKeys: [alice.identity.publicKey], now, revocations: null, verified: cache };

    expect(checkPass(pass, expect0)).toEqual({ ok: true, value: undefined });
    expect(cache.has(encodeReaderPass(pass))).toBe(true);
    const longer = { ...pass, expiresAt: pass.expiresAt - 1 };
    expect(checkPass(longer, expect0)).toEqual({ ok: false, reason: "the pass's signature does not verify" });

    for (const at of [now + 1, now + 2]) cache.add(encodeReaderPass(issuePass(alice.identity, { handle: 'bob', key: bob.identity.publicKey }, new Uint8Array(16), at)));
    expect(cache.has(encodeReaderPass(pass))).toBe(false);
  });
});

describe('one pull per wall', () => {
  it('lets one session pull a wall at a time, calls the others back when it is done, and takes over a stalled pull', () => {
    let t = 0;
    const pulls = createWallPulls(() => t, 30_000);
    const [first, second] = [Symbol('carol'), Symbol('dave')];
    const retried: string[] = [];
    expect(pulls.claim('alice', first)).toBe(true);
    expect(pulls.claim('alice', second)).toBe(false);
    pulls.wait('alice', second, () => retried.push('dave'));
    pulls.release('alice', first);
    expect(retried).toEqual(['dave']);
    expect(pulls.claim('alice', second)).toBe(true);
    t = 29_999;
    expect(pulls.claim('alice', first)).toBe(false);
    t = 30_000;
    expect(pulls.claim('alice', first)).toBe(true);
    pulls.release('alice', second); // no longer its pull: changes nothing
    expect(pulls.claim('alice', second)).toBe(false);
  });
});

describe('relay topologies', () => {
  const READERS = ['bea', 'cy', 'di', 'ed', 'flo'];

  it('any order of meetings among alice’s friends converges to alice’s log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(READERS.length - 1), fc.nat(READERS.length - 1)), { minLength: 4, maxLength: 14 }),
        fc.nat(READERS.length - 1),
        fc.integer({ min: 1, max: 4 }),
        async (meetings, seed, posts) => {
          const alice = makeUser('alice');
          const readers = READERS.map((h) => makeUser(h));
          for (const r of readers) await befriend(alice, r);
          for (let i = 0; i < readers.length; i++) for (let j = i + 1; j < readers.length; j++) await befriend(readers[i]!, readers[j]!);
          for (const r of readers) (await connect(alice, r)).a.close(); // everyone holds a pass
          for (let i = 0; i < posts; i++) await post(alice, text(`post ${i}`));
          (await connect(alice, readers[seed]!)).a.close(); // alice then leaves for good
          const truth = await ids(alice, 'alice');
          const reached = new Set([seed]);
          for (const [a, b] of meetings) {
            if (a === b) continue;
            (await connect(readers[a]!, readers[b]!)).a.close();
            if (reached.has(a) || reached.has(b)) reached.add(a).add(b);
          }
          for (let i = 0; i < readers.length; i++) {
            const held = await ids(readers[i]!, 'alice');
            // Every copy is a prefix of alice's log; whoever met someone who had it holds all of it.
            expect(truth.slice(0, held.length)).toEqual(held);
            if (reached.has(i)) expect(held).toEqual(truth);
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('wall post entries carried along any chain of friends reach alice once, sealed in the order she met them', async () => {
    const { alice, bob, carol } = await trio();
    const dan = makeUser('dan');
    await befriend(alice, dan);
    await befriend(carol, dan);
    (await connect(alice, dan)).a.close();
    const first = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'from bob', media: [] } });
    (await connect(bob, carol)).a.close();
    // bob meets alice himself too: the same entry arrives twice and is sealed once.
    await connect(bob, alice);
    await connect(alice, carol);
    expect((await log(alice, 'alice')).map((e) => toHex(e.header.nonce)).length).toBe(1);
    expect(await ids(alice, 'alice')).toEqual([first]);
    await connect(carol, dan);
    expect(await ids(dan, 'alice')).toEqual([first]);
  });
});
