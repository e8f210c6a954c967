import { describe, expect, it } from 'vitest';
import { sealAndCommit, signDraft } from '../../core/author';
import { planIngest } from '../../core/ingest';
import { LIMITS } from '../../core/limits';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { type SealedEntry, sealOf, signSeal } from '../../core/seal';
import { createSyncSession } from '../../core/syncSession';
import { createMemoryTransportPair } from '../../core/transport';
import { befriend, connect, deps, makeUser, post, queue, text, type User } from './support/world';
import { buildWallView } from '../../core/wallView';

/** Bob's session with alice, ready; frames bob sends are collected, and `fromAlice` speaks for alice. */
async function bobSessionWithAlice(alice: User, bob: User) {
  const [ta, tb] = createMemoryTransportPair();
  const common = { localFingerprint: 'f', remoteFingerprint: 'f' };
  const sa = createSyncSession({ replica: alice.replica, identity: alice.identity, peer: 'bob', transport: ta, ...common, ...deps(alice) });
  const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, ...common, ...deps(bob), onEvent: (e) => bob.events.push(e) });
  sa.start();
  sb.start();
  while (!(sa.settled() && sb.settled())) {
    await sa.idle();
    await sb.idle();
  }
  const fromBob: string[] = [];
  // From here on the test speaks for alice: her session no longer sees bob's frames.
  ta.onFrame((f) => {
    const m = decodeMessage(f);
    fromBob.push(m.ok ? m.value.type : 'undecodable');
  });
  return { sb, fromAlice: (f: Uint8Array) => ta.send(f), fromBob };
}

describe('sync session', () => {
  it('brings a friend\'s posts and a comment written offline onto both replicas', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const first = await post(alice, text('hello'));
    await queue(bob, 'alice', { kind: 'comment', target: first.id, body: { text: 'hi alice' } });
    await connect(alice, bob);
    const a = await alice.replica.entriesAfter('alice', 0, 100);
    const b = await bob.replica.entriesAfter('alice', 0, 100);
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a).toHaveLength(2);
    const view = buildWallView('alice', b);
    expect(view.posts[0]?.text).toBe('hello');
    expect(view.posts[0]?.comments.map((c) => [c.author, c.text])).toEqual([['bob', 'hi alice']]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
  });

  it('refuses a batch in which alice sealed a comment in bob’s own name, keeping what bob already held', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const mallory = makeUser('mallory');
    await befriend(alice, bob);
    const first = await post(alice, text('hello'));
    await connect(alice, bob);
    const forged = signDraft({ ...mallory.identity, handle: 'bob' }, 'alice', alice.identity.publicKey, { kind: 'comment', target: first.id, body: { text: 'not bob' } }, deps(mallory));
    if (!forged.ok) throw new Error(forged.reason);
    // An honest owner's Peerwall will not seal it: bob is pinned with another key.
    expect(await sealAndCommit(alice.replica, alice.identity, forged.value, alice.now)).toEqual({ ok: false, reason: "it is signed in @bob's name with a key that is not theirs" });
    // A hostile one writes it anyway.
    const head = (await alice.replica.wallState('alice'))!;
    const seal = sealOf(forged.value.header, 2, head.sealHash);
    const sealed: SealedEntry = { ...forged.value, seq: 2, prev: head.sealHash, ownerSig: signSeal(seal, alice.identity.secretKey) };
    const written = await planIngest(alice.replica, 'alice', [sealed], alice.identity.publicKey, alice.now, new Map());
    if (!written.ok) throw new Error(written.reason);
    expect((await alice.replica.commit(written.value)).ok).toBe(true);

    await connect(alice, bob, { allowUnanswered: true });

    expect(bob.events.at(-1)).toEqual({
      type: 'closed',
      code: 'invalid_batch',
      reason: "entry 2 of @alice: it is signed in @bob's name with a key that is not theirs",
      byPeer: false,
      storageFull: false,
    });
    expect((await bob.replica.entriesAfter('alice', 0, 10)).map((e) => e.id)).toEqual([first.id]);
  });

  it('refuses a batch nobody asked for, even of genuine entries, and stores none of it', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const { sb, fromAlice } = await bobSessionWithAlice(alice, bob);
    const fresh = await post(alice, text('not asked for'));
    fromAlice(encodeMessage({ type: 'batch', wall: 'alice', headSeq: 1, entries: [fresh] }));
    await sb.idle();
    expect(sb.state).toBe('closed');
    expect(bob.events.at(-1)).toMatchObject({ type: 'closed', code: 'bad_message' });
    expect(await bob.replica.wallState('alice')).toBeNull();
  });

  it('never serves a third person\'s wall, only its own and the asker\'s', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    const carol = makeUser('carol');
    await befriend(alice, bob);
    await befriend(bob, carol);
    await post(carol, text('for my friends only'));
    await connect(bob, carol);
    expect(await bob.replica.wallState('carol')).toMatchObject({ seq: 1 });
    const { sb, fromAlice, fromBob } = await bobSessionWithAlice(alice, bob);
    fromAlice(encodeMessage({ type: 'want', wall: 'carol', afterSeq: 0, max: 64 }));
    await sb.idle();
    expect(fromBob).toEqual(['error']);
    expect(bob.events.at(-1)).toMatchObject({ type: 'closed', code: 'not_allowed' });
  });

  it('closes with too_large on a frame over 256 KiB, without reading it', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const { sb, fromAlice, fromBob } = await bobSessionWithAlice(alice, bob);
    fromAlice(new Uint8Array(LIMITS.frameBytes + 1));
    await sb.idle();
    expect(fromBob).toEqual(['error']);
    expect(bob.events.at(-1)).toMatchObject({ type: 'closed', code: 'too_large' });
  });
});
