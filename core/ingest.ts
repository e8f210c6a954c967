import { bytesEqual, codePointLength, toHex } from './bytes';
import { decodeBody, type EntryBody } from './body';
import { bodyMatches } from './entry';
import { type EntrySignatures, entrySignatures } from './entrySignatures';
import { CONTENT_KINDS, OWNER_ONLY_KINDS, TARGETED_KINDS } from './entryKind';
import { type FeedChange, type FeedPhoto, bodyText, feedChangesOfAppend, feedPhotos } from './feed';
import { type KnownAuthors, checkAuthor } from './knownAuthors';
import { LIMITS } from './limits';
import type { Replica, StoredEntry, WallState, WallWrite } from './replica';
import { type Result, fail, ok } from './result';
import { verifyRecovery } from './recoveryStatement';
import { verifyRotation } from './rotation';
import { type SealedEntry, ZERO_HASH, sealHash } from './seal';
import { pureVerifier, type Verifier } from './verifier';

/**
 * A recovery of a wall the reader confirmed (docs/protocol.md §5.4 rule 10, §8), or `any` while the reader
 * recovers its own wall from a friend's copy, which it takes as that friend holds it, or `before` while the
 * reader learns a friend's history from the friend's own wall (§8): any recovery until the wall's key is one
 * of the pinned history's keys.
 */
export type ConfirmedRecovery = { newKey: Uint8Array; lostKey?: Uint8Array | undefined } | { before: readonly Uint8Array[] } | 'any';

/**
 * A `rotate` entry carrying a recovery statement (format 2, its body's first byte). Its body is checked
 * against the signed hash with the rest of the entry; the format byte only says which rules apply.
 */
export const isRecoveryEntry = (e: SealedEntry): boolean => e.header.kind === 'rotate' && e.body?.[0] === 2;

export function emptyWallState(wall: string, genesisKey: Uint8Array): WallState {
  return { wall, seq: 0, sealHash: ZERO_HASH, genesisKey, currentKey: genesisKey, closed: false };
}

/**
 * Checks a run of sealed entries of one wall against the replica (docs/protocol.md §5.4, §7.3) and
 * returns the one write that applies them, or the reason the whole run is refused. Entries the
 * replica already holds are skipped (their late body filled in); nothing is half-applied.
 * `anchor` is the wall's genesis key, used only when the replica holds none of the wall yet.
 * `known` are the reader itself and its pinned friends: an entry in one of their names must carry
 * one of their keys, whoever sealed it. `via` is the friend who relayed the run, if not the owner.
 * The signatures of every entry the run would append are checked at once through `verifier`
 * before the rules take the entries in order. `signatures` are checks already started for exactly
 * these entries (`entrySignatures`, in order), e.g. while the previous batch was being stored.
 * `recovery` is the recovery of this wall the reader confirmed (§5.4 rule 10): to `newKey`, from `lostKey`
 * (any current key when the wall is the reader's own); without it a recovery entry is refused.
 */
export async function planIngest(
  replica: Replica,
  wall: string,
  entries: readonly SealedEntry[],
  anchor: Uint8Array,
  now: () => number,
  known: KnownAuthors,
  options: { via?: string | undefined; verifier?: Verifier; signatures?: readonly EntrySignatures[] | undefined; recovery?: ConfirmedRecovery | undefined } = {},
): Promise<Result<WallWrite>> {
  const { via, verifier = pureVerifier } = options;
  const stored = await replica.wallState(wall);
  const expectedSeq = stored?.seq ?? 0;
  const state: WallState = stored ?? emptyWallState(wall, anchor);
  const fresh = new Map<string, StoredEntry>();
  const append: StoredEntry[] = [];
  const fillBodies: WallWrite['fillBodies'] = [];
  const tombstone = new Set<string>();
  const feed: FeedChange[] = [];
  const fillTexts = new Map<string, { text: string; photos: FeedPhoto[] }>();
  const profileFills: FeedChange[] = [];

  const lookup = async (id: string): Promise<StoredEntry | null> => fresh.get(id) ?? (await replica.entryById(wall, id));
  const isTombstoned = (e: StoredEntry): boolean => e.tombstoned || tombstone.has(e.id);

  const signatures =
    options.signatures?.length === entries.length
      ? options.signatures
      : entries.map((e) => entrySignatures(e, verifier, e.header.wall === wall && e.seq > expectedSeq));

  for (const [i, e] of entries.entries()) {
    const where = `entry ${e.seq} of @${wall}`;
    if (e.header.wall !== wall) return fail(`${where} belongs to another wall`);
    const { seal, sealedBy, authored } = signatures[i]!;
    const id = toHex(seal.entryId);

    if (e.seq <= state.seq) {
      const held = await lookup(id);
      if (!held || held.seq !== e.seq) return fail(`${where} conflicts with the entry already held at that position`);
      if (e.body && !held.body && !isTombstoned(held)) {
        const checked = await checkBody(e, lookup);
        if (!checked.ok) return fail(`${where}: ${checked.reason}`);
        fillBodies.push({ id, body: e.body });
        const text = bodyText(checked.value);
        if (text !== null) fillTexts.set(id, { text, photos: feedPhotos(checked.value) });
        // A profile whose body comes late names the wall from then on (the newest seq still wins).
        if (held.header.kind === 'profile') profileFills.push(...feedChangesOfAppend(held, checked.value));
      }
      continue;
    }
    if (e.seq !== state.seq + 1) return fail(`${where} leaves a gap after ${state.seq}`);
    if (!bytesEqual(e.prev, state.sealHash)) return fail(`${where} does not chain to the previous entry`);
    // Rule 10: a recovery is sealed and signed by the key it recovers to, which the reader confirmed.
    const recovers = isRecoveryEntry(e);
    if (recovers) {
      const confirmed = options.recovery;
      const matches =
        confirmed === 'any' ||
        (confirmed !== undefined && 'before' in confirmed && !confirmed.before.some((k) => bytesEqual(k, state.currentKey))) ||
        (confirmed !== undefined && 'newKey' in confirmed && bytesEqual(confirmed.newKey, e.header.authorKey) && (!confirmed.lostKey || bytesEqual(confirmed.lostKey, state.currentKey)));
      if (!matches) return fail(`${where} recovers the wall to a key you have not confirmed`);
    }
    if (!(await sealedBy(recovers ? e.header.authorKey : state.currentKey))) return fail(`${where} is not sealed by the wall's owner`);
    if (!(await authored())) return fail(`${where} has an invalid author signature`);

    const rule = await checkRules(e, state, known, lookup, isTombstoned, recovers);
    if (!rule.ok) return fail(`${where}: ${rule.reason}`);
    let body: EntryBody | null = null;
    if (e.body) {
      const checked = await checkBody(e, lookup);
      if (!checked.ok) return fail(`${where}: ${checked.reason}`);
      body = checked.value;
    } else if (e.header.kind === 'rotate') {
      return fail(`${where}: a key rotation must carry its statement`);
    }

    const entry: StoredEntry = { ...e, id, receivedAt: now(), tombstoned: false, ...(via ? { via } : {}) };
    if (e.header.kind === 'rotate') {
      if (body?.kind !== 'rotate') return fail(`${where}: unreadable key rotation`);
      state.currentKey = body.body.newKey;
    }
    if (e.header.kind === 'goodbye') state.closed = true;
    if (e.header.kind === 'delete' && e.header.target) {
      const targetId = toHex(e.header.target);
      const drops = [targetId];
      for (const t of await replica.entriesTargeting(wall, targetId)) if (t.header.kind === 'edit') drops.push(t.id);
      for (const t of fresh.values()) {
        if (t.header.kind === 'edit' && t.header.target && toHex(t.header.target) === targetId) drops.push(t.id);
      }
      for (const d of drops) {
        const inBatch = fresh.get(d);
        if (inBatch) {
          inBatch.body = null;
          inBatch.tombstoned = true;
        } else tombstone.add(d);
      }
    }
    fresh.set(id, entry);
    append.push(entry);
    feed.push(...feedChangesOfAppend(entry, body));
    state.seq = e.seq;
    state.sealHash = sealHash(seal);
  }
  const fills = fillBodies.filter((f) => !tombstone.has(f.id));
  for (const { id } of fills) {
    const fill = fillTexts.get(id);
    if (fill) feed.push({ op: 'fill', id, text: fill.text, ...(fill.photos.length ? { photos: fill.photos } : {}) });
  }
  for (const id of tombstone) feed.push({ op: 'remove', id });
  feed.push(...profileFills);
  return ok({ wall, expectedSeq, state, append, fillBodies: fills, tombstone: [...tombstone], feed });
}

/** Who may write what where (docs/protocol.md §5.4). Needs only headers, so body-less entries are checked too. */
async function checkRules(
  e: SealedEntry,
  state: WallState,
  known: KnownAuthors,
  lookup: (id: string) => Promise<StoredEntry | null>,
  isTombstoned: (e: StoredEntry) => boolean,
  recovers = false,
): Promise<Result<void>> {
  const h = e.header;
  const byOwner = h.author === state.wall;
  if (state.closed) return fail('the wall has said goodbye');
  if (h.bodySize > LIMITS.bodyBytes) return fail('its body is too large');
  if (!bytesEqual(h.wallKey, state.currentKey)) return fail("it addresses another of the owner's keys");
  if (byOwner && !recovers && !bytesEqual(h.authorKey, state.currentKey)) return fail("the owner signed with a key that is not the wall's current key");
  // The owner's own entries follow the wall's key chain (checked above), which may rotate past the pin.
  const author = byOwner ? ok(undefined) : checkAuthor(known, h.author, h.authorKey);
  if (!author.ok) return author;
  if (OWNER_ONLY_KINDS.includes(h.kind) && !byOwner) return fail(`only the owner may write a ${h.kind}`);
  if (h.kind === 'wallPost' && byOwner) return fail('the owner writes posts, not wall posts');
  const empty = h.kind === 'like' || h.kind === 'unlike' || h.kind === 'delete';
  if (empty !== (h.bodySize === 0)) return fail(empty ? `a ${h.kind} must have an empty body` : 'its body is empty');
  if (!TARGETED_KINDS.includes(h.kind)) return h.target ? fail(`a ${h.kind} has no target`) : ok(undefined);
  if (!h.target) return fail(`a ${h.kind} needs a target`);
  const target = await lookup(toHex(h.target));
  if (!target) return fail('its target is not on this wall');
  if (!CONTENT_KINDS.includes(target.header.kind)) return fail(`a ${h.kind} cannot target a ${target.header.kind}`);
  if (isTombstoned(target)) return fail('its target was deleted');
  if (h.kind === 'comment' && target.header.kind === 'comment') return fail('comments answer posts, not comments');
  if (h.kind === 'edit' && target.header.author !== h.author) return fail('only the author may edit an entry');
  if (h.kind === 'delete' && target.header.author !== h.author && !byOwner) {
    return fail("only the author or the wall's owner may delete an entry");
  }
  return ok(undefined);
}

/** Checks a body against its signed hash and its kind's rules; returns it decoded (each body is decoded once). */
async function checkBody(e: SealedEntry, lookup: (id: string) => Promise<StoredEntry | null>): Promise<Result<EntryBody>> {
  const h = e.header;
  if (!e.body || !bodyMatches(h, e.body)) return fail('its body does not match the signed hash');
  const decoded = decodeBody(h.kind, e.body);
  if (!decoded.ok) return decoded;
  if (decoded.value.kind === 'rotate') {
    const s = decoded.value.body;
    const valid =
      s.format === 2
        ? isRecoveryEntry(e) && bytesEqual(s.oldKey, h.wallKey) && bytesEqual(s.newKey, h.authorKey) && bytesEqual(s.prevSealHash, e.prev) && verifyRecovery(s)
        : !isRecoveryEntry(e) && bytesEqual(s.oldKey, h.authorKey) && verifyRotation(s);
    if (s.handle !== h.wall || s.atSeq !== e.seq || !valid) return fail('the key rotation statement is not valid here');
  }
  if (decoded.value.kind === 'edit' && h.target) {
    const target = await lookup(toHex(h.target));
    const body = decoded.value.body;
    if (target?.header.kind === 'comment' && (body.media.length > 0 || (body.photos?.length ?? 0) > 0 || codePointLength(body.text) > LIMITS.commentChars)) {
      return fail('an edited comment must stay a comment');
    }
  }
  return ok(decoded.value);
}
