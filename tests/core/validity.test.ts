import { describe, expect, it } from 'vitest';
import { acceptSubmission, signDraft, type Draft } from '../../core/author';
import { type EntryHeader, type SignedEntry, entryId, signHeader } from '../../core/entry';
import { type Identity, rotateIdentity } from '../../core/identity';
import { planIngest } from '../../core/ingest';
import { type KnownAuthors, knownAuthors } from '../../core/knownAuthors';
import { mediaRefFor } from '../../core/media';
import { createMemoryReplica } from '../../core/memoryReplica';
import type { FriendRecord } from '../../core/replica';
import { type SealedEntry, ZERO_HASH, sealHash, sealOf, signSeal } from '../../core/seal';
import { sha256 } from '../../core/signing';
import { createVerifier } from '../../core/verifier';
import { befriend, deps, makeUser, post as writeOwn } from './support/world';

/**
 * docs/protocol.md §5.4: a reader refuses an entry that breaks a validity rule even when the
 * owner sealed it (a buggy or hostile owner), and stores none of the batch.
 */
const alice = makeUser('alice');
const nativeVerifier = createVerifier({ subtle: globalThis.crypto.subtle });
const bob = makeUser('bob');
const carol = makeUser('carol');
const mallory = makeUser('mallory');

function sign(author: Identity, draft: Draft, wallKey = alice.identity.publicKey): SignedEntry {
  const signed = signDraft(author, 'alice', wallKey, draft, deps(alice));
  if (!signed.ok) throw new Error(signed.reason);
  return signed.value;
}

/** Re-signs an entry with a hand-made header, for shapes `signDraft` would never produce. */
function withHeader(author: Identity, entry: SignedEntry, change: Partial<EntryHeader>, body = entry.body): SignedEntry {
  const header = { ...entry.header, ...change };
  return { header, authorSig: signHeader(header, author.secretKey), body };
}

/** Alice seals `entries` after `log`, whatever they are. */
function sealAfter(log: readonly SealedEntry[], ...entries: SignedEntry[]): SealedEntry[] {
  const out = [...log];
  for (const e of entries) {
    const last = out.at(-1);
    const prev = last ? sealHash(sealOf(last.header, last.seq, last.prev)) : ZERO_HASH;
    const seq = (last?.seq ?? 0) + 1;
    out.push({ ...e, seq, prev, ownerSig: signSeal(sealOf(e.header, seq, prev), alice.identity.secretKey) });
  }
  return out;
}

/**
 * Alice's wall as a reader knowing `known` (by default nobody: every author is vouched for by alice
 * alone) stores it — with the pure verifier, and the same with the native one.
 */
async function ingest(entries: readonly SealedEntry[], known: KnownAuthors = new Map()) {
  const replica = createMemoryReplica();
  const plan = await planIngest(replica, 'alice', entries, alice.identity.publicKey, () => 1, known);
  const native = await planIngest(createMemoryReplica(), 'alice', entries, alice.identity.publicKey, () => 1, known, { verifier: nativeVerifier });
  expect(native).toEqual(plan);
  if (plan.ok) expect((await replica.commit(plan.value)).ok).toBe(true);
  return { plan, stored: await replica.entriesAfter('alice', 0, 100) };
}

const post = sign(alice.identity, { kind: 'post', body: { text: 'hello', media: [] } });
const wallPost = sign(bob.identity, { kind: 'wallPost', body: { text: 'hi alice', media: [] } });
const bobComment = sign(bob.identity, { kind: 'comment', target: entryId(post.header), body: { text: 'from bob' } });
const carolComment = sign(carol.identity, { kind: 'comment', target: entryId(post.header), body: { text: 'from carol' } });
const profile = sign(alice.identity, { kind: 'profile', body: { displayName: 'Alice', about: '' } });
const base = sealAfter([], post, wallPost, bobComment, carolComment, profile);
const idOf = (e: SignedEntry) => entryId(e.header);
const like = sign(bob.identity, { kind: 'like', target: idOf(post), body: null });
const image = mediaRefFor(new Uint8Array(10).fill(7), 'image/png');
if (!image.ok) throw new Error(image.reason);

const invalid: [string, SignedEntry, string][] = [
  ['an edit of someone else\'s entry', sign(bob.identity, { kind: 'edit', target: idOf(post), body: { text: 'mine now', media: [] } }), 'only the author may edit'],
  ['a delete by neither the author nor the owner', sign(bob.identity, { kind: 'delete', target: idOf(carolComment), body: null }), 'only the author or the wall\'s owner'],
  ['a post by someone other than the owner', sign(bob.identity, { kind: 'post', body: { text: 'my post', media: [] } }), 'only the owner may write a post'],
  ['a profile by someone other than the owner', sign(bob.identity, { kind: 'profile', body: { displayName: 'Alice', about: '' } }), 'only the owner may write a profile'],
  ['a goodbye by someone other than the owner', sign(bob.identity, { kind: 'goodbye', body: { text: 'bye' } }), 'only the owner may write a goodbye'],
  ['a wall post by the owner', sign(alice.identity, { kind: 'wallPost', body: { text: 'self', media: [] } }), 'the owner writes posts, not wall posts'],
  ['an owner entry signed with a key that is not the wall\'s', sign({ ...mallory.identity, handle: 'alice' }, { kind: 'post', body: { text: 'forged', media: [] } }), 'not the wall\'s current key'],
  ['an entry addressed to another key of the owner', sign(bob.identity, { kind: 'wallPost', body: { text: 'hi', media: [] } }, mallory.identity.publicKey), 'addresses another of the owner\'s keys'],
  ['a comment on a comment', sign(bob.identity, { kind: 'comment', target: idOf(carolComment), body: { text: 'nested' } }), 'comments answer posts'],
  ['a like of a profile', sign(bob.identity, { kind: 'like', target: idOf(profile), body: null }), 'cannot target a profile'],
  ['a like of an entry not on the wall', sign(bob.identity, { kind: 'like', target: '00'.repeat(32), body: null }), 'not on this wall'],
  ['a post with a target', sign(alice.identity, { kind: 'post', target: idOf(post), body: { text: 'reply', media: [] } }), 'has no target'],
  ['a like without a target', withHeader(bob.identity, like, { target: null }), 'needs a target'],
  ['a like with a body', withHeader(bob.identity, like, { bodyHash: sha256(Uint8Array.of(1)), bodySize: 1 }, Uint8Array.of(1)), 'must have an empty body'],
  ['a comment with an empty body', withHeader(bob.identity, bobComment, { bodyHash: sha256(new Uint8Array(0)), bodySize: 0 }, new Uint8Array(0)), 'its body is empty'],
  ['an edit that gives a comment an image', sign(bob.identity, { kind: 'edit', target: idOf(bobComment), body: { text: 'pic', media: [image.value] } }), 'an edited comment must stay a comment'],
  ['a key rotation without its statement', withHeader(alice.identity, profile, { kind: 'rotate' }, null), 'must carry its statement'],
  ['an entry whose author is not a canonical handle', sign({ ...mallory.identity, handle: 'Carol' }, { kind: 'wallPost', body: { text: 'hi', media: [] } }), 'its author is not a valid handle'],
  ['an entry whose author ends in an underscore', sign({ ...mallory.identity, handle: 'carol_' }, { kind: 'wallPost', body: { text: 'hi', media: [] } }), 'its author is not a valid handle'],
];

describe('validity rules (§5.4) that hold even against the owner', () => {
  it('accepts the base wall and the entries the rules allow', async () => {
    expect((await ingest(base)).plan.ok).toBe(true);
    const allowed = [
      sign(alice.identity, { kind: 'delete', target: idOf(wallPost), body: null }),
      sign(carol.identity, { kind: 'delete', target: idOf(carolComment), body: null }),
      sign(bob.identity, { kind: 'edit', target: idOf(bobComment), body: { text: 'from bob, edited', media: [] } }),
      like,
    ];
    for (const entry of allowed) expect((await ingest(sealAfter(base, entry))).plan.ok, entry.header.kind).toBe(true);
  });

  it.each(invalid)('refuses %s, and stores nothing of the batch', async (_, entry, reason) => {
    const { plan, stored } = await ingest(sealAfter(base, entry));
    expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
    expect(stored).toEqual([]);
  });

  it('refuses anything after a goodbye', async () => {
    const goodbye = sign(alice.identity, { kind: 'goodbye', body: { text: 'bye' } });
    const { plan } = await ingest(sealAfter(base, goodbye, like));
    expect(plan).toMatchObject({ ok: false, reason: expect.stringContaining('said goodbye') });
  });

  it('makes the owner refuse to seal a friend\'s submission that breaks a rule', async () => {
    const owner = makeUser('alice');
    const friend = makeUser('bob');
    await befriend(owner, friend);
    const mine = await writeOwn(owner, { kind: 'post', body: { text: 'mine', media: [] } });
    const edit = signDraft(friend.identity, 'alice', owner.identity.publicKey, { kind: 'edit', target: mine.id, body: { text: 'hijacked', media: [] } }, deps(friend));
    if (!edit.ok) throw new Error(edit.reason);
    expect(await acceptSubmission(owner.replica, owner.identity, 'bob', edit.value, owner.now)).toEqual({ ok: false, reason: 'only the author may edit an entry' });
    expect(await owner.replica.wallState('alice')).toMatchObject({ seq: 1 });
  });
});

/**
 * §5.4 rule 9: alice's seal vouches for the key of an author her reader does not know, but it
 * cannot make the reader itself, or a friend the reader pinned, say anything.
 */
describe('authors the reader knows (§5.4 rule 9)', () => {
  const pin = (friend: Identity): FriendRecord => ({ handle: friend.handle, key: friend.publicKey, rotations: friend.rotations, since: 0 });
  /** bob reading alice's wall: he has pinned alice and carol. */
  const bobKnows = knownAuthors(bob.identity, [pin(alice.identity), pin(carol.identity)]);
  const asCarol = { ...mallory.identity, handle: 'carol' };
  const asBob = { ...mallory.identity, handle: 'bob' };
  const byCarol = "it is signed in @carol's name with a key that is not theirs";

  it('refuses a wall post alice sealed in the name of a friend the reader pinned, and stores nothing', async () => {
    const forged = sign(asCarol, { kind: 'wallPost', body: { text: 'carol never wrote this', media: [] } });
    const { plan, stored } = await ingest(sealAfter(base, forged), bobKnows);
    expect(plan).toEqual({ ok: false, reason: `entry 6 of @alice: ${byCarol}` });
    expect(stored).toEqual([]);
  });

  it('refuses a comment alice sealed in the reader’s own name', async () => {
    const forged = sign(asBob, { kind: 'comment', target: idOf(post), body: { text: 'bob never wrote this' } });
    const { plan } = await ingest(sealAfter(base, forged), bobKnows);
    expect(plan).toEqual({ ok: false, reason: "entry 6 of @alice: it is signed in @bob's name with a key that is not theirs" });
  });

  it('refuses an edit of a pinned friend’s real comment by a key that is not theirs', async () => {
    const forged = sign(asCarol, { kind: 'edit', target: idOf(carolComment), body: { text: 'carol takes it back', media: [] } });
    const { plan } = await ingest(sealAfter(base, forged), bobKnows);
    expect(plan).toEqual({ ok: false, reason: `entry 6 of @alice: ${byCarol}` });
  });

  it('accepts the same forgery from a reader who knows no @carol: only alice vouches for that key', async () => {
    const forged = sign(asCarol, { kind: 'wallPost', body: { text: 'carol never wrote this', media: [] } });
    const stranger = makeUser('dan');
    const { plan } = await ingest(sealAfter(base, forged), knownAuthors(stranger.identity, [pin(alice.identity)]));
    expect(plan.ok).toBe(true);
  });

  it('accepts a pinned friend’s entries under every key of the history the reader holds, and no key beyond it', async () => {
    const next = rotateIdentity(carol.identity, 9, carol.randomBytes);
    // carol's comment in `base` is under her old key; bob's pin is her new key with its history.
    expect((await ingest(base, knownAuthors(bob.identity, [pin(next.identity)]))).plan.ok).toBe(true);
    // A reader still pinning the old key cannot link the new one until carol shows it her history (§4.2).
    const underNewKey = sign(next.identity, { kind: 'comment', target: idOf(post), body: { text: 'new key' } });
    const { plan } = await ingest(sealAfter(base, underNewKey), bobKnows);
    expect(plan).toEqual({ ok: false, reason: `entry 6 of @alice: ${byCarol}` });
  });
});
