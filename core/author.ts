import { encodeBody, type EntryBody } from './body';
import { bytesEqual, fromHex } from './bytes';
import { type EntryHeader, type SignedEntry, entryId, signHeader } from './entry';
import type { FeedChange } from './feed';
import type { Identity, RandomBytes } from './identity';
import { rotateIdentity } from './identity';
import { readdressOutbox } from './outboxReaddress';
import { emptyWallState, planIngest } from './ingest';
import { knownAuthors } from './knownAuthors';
import type { Replica, StoredEntry, WallState } from './replica';
import { type Result, fail, ok } from './result';
import { verifyRotationChain } from './rotation';
import { type SealedEntry, sealOf, signSeal } from './seal';
import { sha256 } from './signing';
import { pureVerifier, type Verifier } from './verifier';

/** `verifier` checks the new entry's signatures as every reader will (the pure one by default). */
export type WriteDeps = { randomBytes: RandomBytes; now: () => number; verifier?: Verifier };

/** What a person writes; `target` is the hex id of the entry a comment, like, edit or delete refers to. */
export type Draft = EntryBody & { target?: string };

/** Signs an entry for `wall`, whose owner's key is `wallKey`. Limits broken by the draft come back as a reason. */
export function signDraft(identity: Identity, wall: string, wallKey: Uint8Array, draft: Draft, deps: WriteDeps): Result<SignedEntry> {
  let body: Uint8Array;
  try {
    body = encodeBody(draft);
  } catch (e) {
    return fail(e instanceof RangeError ? `${e.message}.` : 'The entry could not be encoded.');
  }
  const target = draft.target === undefined ? null : fromHex(draft.target, 32);
  if (draft.target !== undefined && !target) return fail('The entry refers to an unknown target.');
  const header: EntryHeader = {
    kind: draft.kind,
    wall,
    wallKey,
    author: identity.handle,
    authorKey: identity.publicKey,
    createdAt: deps.now(),
    nonce: deps.randomBytes(16),
    target,
    bodyHash: sha256(body),
    bodySize: body.length,
  };
  return ok({ header, authorSig: signHeader(header, identity.secretKey), body });
}

export function genesisKeyOf(identity: Identity): Uint8Array {
  const chain = verifyRotationChain(identity.handle, identity.rotations, identity.publicKey);
  return chain.ok ? chain.value.genesis : identity.publicKey;
}

/** An entry the owner just sealed onto its wall, and what that did to a feed. */
export type SealedWrite = { entry: StoredEntry; feed: FeedChange[] };

/** Places a signed entry at the end of the owner's wall, validating it exactly as every reader will. */
export async function sealAndCommit(
  replica: Replica,
  owner: Identity,
  entry: SignedEntry,
  now: () => number,
  verifier: Verifier = pureVerifier,
): Promise<Result<StoredEntry>> {
  const sealed = await sealWrite(replica, owner, entry, now, verifier);
  return sealed.ok ? ok(sealed.value.entry) : sealed;
}

async function sealWrite(replica: Replica, owner: Identity, entry: SignedEntry, now: () => number, verifier: Verifier): Promise<Result<SealedWrite>> {
  // The one author that matters here: the owner itself or the friend whose submission this is.
  const author = entry.header.author === owner.handle ? null : await replica.friend(entry.header.author);
  const known = knownAuthors(owner, author ? [author] : []);
  for (let attempt = 0; attempt < 3; attempt++) {
    const state: WallState = (await replica.wallState(owner.handle)) ?? emptyWallState(owner.handle, genesisKeyOf(owner));
    const seal = sealOf(entry.header, state.seq + 1, state.sealHash);
    const sealed: SealedEntry = { ...entry, seq: seal.seq, prev: seal.prev, ownerSig: signSeal(seal, owner.secretKey) };
    const plan = await planIngest(replica, owner.handle, [sealed], genesisKeyOf(owner), now, known, { verifier });
    // Readers see "entry N of @wall: reason"; the author of a submission only needs the reason.
    if (!plan.ok) return fail(plan.reason.replace(/^entry \d+ of @\S+: /, ''));
    const committed = await replica.commit(plan.value);
    if (committed.ok) return ok({ entry: plan.value.append[0]!, feed: plan.value.feed });
    if (committed.reason !== 'conflict') return fail(committed.reason);
  }
  return fail('The wall kept changing while saving; please try again.');
}

const RECOVERING =
  'Your wall is being restored from your friends. Connect to a friend first so nothing you write is lost.';

/** Writes an entry on one's own wall (post, comment, like, edit, delete, profile, goodbye). */
export async function writeOwnEntry(replica: Replica, identity: Identity, draft: Draft, deps: WriteDeps): Promise<Result<StoredEntry>> {
  if (await replica.recovering()) return fail(RECOVERING);
  if (draft.kind === 'rotate' || draft.kind === 'wallPost') return fail(`A ${draft.kind} cannot be written this way.`);
  const signed = signDraft(identity, identity.handle, identity.publicKey, draft, deps);
  return signed.ok ? sealAndCommit(replica, identity, signed.value, deps.now, deps.verifier) : signed;
}

/** Rotates the identity key: writes the `rotate` entry with the old key and returns the new identity. */
export async function rotateKey(replica: Replica, identity: Identity, deps: WriteDeps): Promise<Result<Identity>> {
  if (await replica.recovering()) return fail(RECOVERING);
  const state = await replica.wallState(identity.handle);
  const next = rotateIdentity(identity, (state?.seq ?? 0) + 1, deps.randomBytes);
  const signed = signDraft(identity, identity.handle, identity.publicKey, { kind: 'rotate', body: next.statement }, deps);
  if (!signed.ok) return signed;
  const stored = await sealAndCommit(replica, identity, signed.value, deps.now, deps.verifier);
  if (!stored.ok) return stored;
  // Friends pin the new key once they see the rotation and would refuse entries still queued under the old one.
  for (const friend of await replica.friends()) await readdressOutbox(replica, next.identity, friend.handle, friend.key);
  return ok(next.identity);
}

/**
 * Signs an entry for a friend's wall and queues it in the outbox; a sync session delivers it
 * (`submit`) when the friend is online, and drops it once the friend acknowledges it.
 */
export async function queueForFriend(replica: Replica, identity: Identity, wall: string, draft: Draft, deps: WriteDeps): Promise<Result<string>> {
  const friend = await replica.friend(wall);
  if (!friend) return fail(`@${wall} is not your friend.`);
  if (draft.kind !== 'wallPost' && draft.kind !== 'comment' && draft.kind !== 'like' && draft.kind !== 'unlike'
    && draft.kind !== 'edit' && draft.kind !== 'delete') {
    return fail(`A ${draft.kind} can only be written on your own wall.`);
  }
  const signed = signDraft(identity, wall, friend.key, draft, deps);
  if (!signed.ok) return signed;
  const id = entryId(signed.value.header);
  await replica.addToOutbox(wall, { id, entry: signed.value, queuedAt: deps.now() });
  return ok(id);
}

/**
 * The owner's side of `submit`: seals an entry a friend wrote on the owner's wall if the friend
 * signed it with its pinned key. Re-submissions of an entry already on the wall succeed (at-least-once).
 */
export async function acceptSubmission(
  replica: Replica,
  owner: Identity,
  from: string,
  entry: SignedEntry,
  now: () => number,
  verifier: Verifier = pureVerifier,
): Promise<Result<string>> {
  const accepted = await sealSubmission(replica, owner, from, entry, now, verifier);
  return accepted.ok ? ok(accepted.value.id) : accepted;
}

/**
 * `acceptSubmission`, also answering with what it sealed: null when the entry already was on the
 * wall, so the owner's side hears of each new entry once.
 */
export async function sealSubmission(
  replica: Replica,
  owner: Identity,
  from: string,
  entry: SignedEntry,
  now: () => number,
  verifier: Verifier = pureVerifier,
): Promise<Result<{ id: string; sealed: SealedWrite | null }>> {
  const h = entry.header;
  const id = entryId(h);
  if (h.author !== from) return fail('it was written by someone else');
  if (h.wall !== owner.handle) return fail('it is for another wall');
  if (await replica.entryById(owner.handle, id)) return ok({ id, sealed: null });
  if (await replica.recovering()) return fail('the wall is being restored; try again later');
  const friend = await replica.friend(from);
  if (!friend) return fail('you are not friends');
  if (!bytesEqual(friend.key, h.authorKey)) return fail("it is signed with a key that is not the author's pinned key");
  if (!entry.body) return fail('it has no body');
  const sealed = await sealWrite(replica, owner, entry, now, verifier);
  return sealed.ok ? ok({ id, sealed: sealed.value }) : sealed;
}

export { readdressOutbox };
