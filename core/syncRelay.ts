import { bytesEqual, encodeWith, toHex } from './bytes';
import { bodyMatches, entryId, verifyAuthor, writeSignedEntry } from './entry';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import type { ErrorCode, PeerMessage, SubmitResult, WallHead } from './messages';
import { checkPass, type ReaderPass } from './readerPass';
import { type CarriedItem, passFor, type RelayStore, type WallPulls } from './relay';
import type { FriendRecord, Replica } from './replica';
import { checkRevocations, isRevoked, type Revocations } from './revocations';
import { packCarry, packSubmits } from './syncFrames';

/** What a session needs to relay (protocol version 2): one store and one pull registry per side. */
export type RelayDeps = { store: RelayStore; pulls: WallPulls };

type Message<T extends PeerMessage['type']> = Extract<PeerMessage, { type: T }>;

export type RelayRoleDeps = {
  replica: Replica;
  identity: Identity;
  relay: RelayDeps;
  peer: string;
  /** The key the friend proved in the handshake. */
  peerKey: Uint8Array;
  now: () => number;
  randomBytes: RandomBytes;
  send(m: PeerMessage): void;
  sendFrame(frame: Uint8Array): void;
  /** Fetches `wall` from the friend from this side's head on (one `want` at a time, shared claims). */
  pull(wall: string): Promise<void>;
  refuse(code: ErrorCode, reason: string): void;
  /** A pass or revocation list from the friend that this side did not take, and why. */
  onRefused(wall: string, reason: string): void;
};

/** The wall's genesis key as the reader's pin of its owner gives it. */
export const genesisOfFriend = (f: FriendRecord): Uint8Array => f.rotations[0]?.oldKey ?? f.key;

/**
 * The relaying half of a version-2 session (docs/protocol.md §7.5). As an owner it gives the friend
 * a reader pass and its revocation list. As a reader it shows the passes it holds and pulls from the
 * friend any wall the friend is ahead on, and hands over submissions for the friend to carry. As a
 * holder it serves a third wall only to a friend whose pass it checked and whose tag is not revoked,
 * and delivers carried submissions to their wall's owner.
 */
export function createRelayRole(d: RelayRoleDeps) {
  const { replica, identity, peer } = d;
  const { store } = d.relay;
  const me = identity.handle;
  /** Third walls the friend showed a valid pass for, with the pass's tag (re-checked before serving). */
  const allowed = new Map<string, Uint8Array>();
  /** Third walls whose pass this session checked: one signature check per wall and session bounds its cost. */
  const passesChecked = new Set<string>();
  /** Third walls this side showed a pass for, and how far the friend holds them. */
  const asked = new Set<string>();
  const offered = new Map<string, number>();
  const carriedInFlight = new Set<string>();
  const handedOver = new Set<string>();
  /** `issuedAt` of this side's own revocation list as last sent in this session. */
  let ownListSent = 0;

  const heldSeq = async (wall: string): Promise<number> => (await replica.wallState(wall))?.seq ?? 0;
  const ownerKeysOf = async (wall: string, friend: FriendRecord): Promise<Uint8Array[]> => {
    const state = await replica.wallState(wall);
    return state ? [friend.key, state.currentKey] : [friend.key];
  };

  async function stillAllowed(wall: string): Promise<boolean> {
    const tag = allowed.get(wall);
    if (!tag) return false;
    const list = await store.revocations(wall);
    if (list && isRevoked(list, tag)) {
      allowed.delete(wall);
      return false;
    }
    return !!(await replica.friend(wall));
  }

  async function sendOwnList(): Promise<void> {
    const own = await store.revocations(me);
    if (!own || own.issuedAt <= ownListSent) return;
    ownListSent = own.issuedAt;
    d.send({ type: 'revocations', list: own });
  }

  async function askHeads(): Promise<void> {
    const now = d.now();
    const usable: ReaderPass[] = [];
    for (const pass of await store.passes()) {
      if (pass.wall === me || pass.wall === peer || pass.expiresAt <= now || !(await replica.friend(pass.wall))) continue;
      usable.push(pass);
      asked.add(pass.wall);
    }
    for (let i = 0; i < usable.length; i += LIMITS.headsPerFrame) d.send({ type: 'heads', passes: usable.slice(i, i + LIMITS.headsPerFrame) });
  }

  async function deliverCarried(): Promise<void> {
    const items = await liveCarried(peer);
    const fresh = items.filter((c) => !carriedInFlight.has(c.id));
    for (const c of fresh) carriedInFlight.add(c.id);
    for (const frame of packSubmits(fresh)) d.sendFrame(frame);
  }

  /** Carried items for `wall`, after dropping those older than a pass lives (their author has long been told nothing). */
  async function liveCarried(wall: string): Promise<CarriedItem[]> {
    const items = await store.carried(wall);
    const stale = items.filter((c) => c.carriedAt + LIMITS.passLifetimeMs <= d.now()).map((c) => c.id);
    if (stale.length) await store.removeCarried(wall, stale);
    return items.filter((c) => !stale.includes(c.id));
  }

  async function onPass(pass: ReaderPass): Promise<void> {
    const held = (await store.passes()).find((p) => p.wall === peer);
    if (held && bytesEqual(held.sig, pass.sig)) return; // the pass this side holds: nothing to check
    const checked = checkPass(pass, { wall: peer, reader: me, readerKey: identity.publicKey, ownerKeys: [d.peerKey], now: d.now(), revocations: null });
    if (!checked.ok) return d.refuse('bad_message', `@${peer} sent a reader pass that is not valid: ${checked.reason}.`);
    if (!held || held.expiresAt < pass.expiresAt || !bytesEqual(held.tag, pass.tag)) await store.putPass(pass);
  }

  async function onRevocations(list: Revocations): Promise<void> {
    const wall = list.wall;
    const friend = wall === me ? null : await replica.friend(wall);
    if (!friend) return;
    const held = await store.revocations(wall);
    if (held && held.issuedAt >= list.issuedAt) return; // not news: no signature to check
    const checked = checkRevocations(list, wall, await ownerKeysOf(wall, friend), held);
    if (!checked.ok) return d.onRefused(wall, checked.reason);
    if (checked.value !== 'newer') return;
    await store.putRevocations(list);
    const mine = (await store.passes()).find((p) => p.wall === wall);
    if (mine && isRevoked(list, mine.tag)) await store.dropPass(wall);
  }

  async function onHeads(passes: readonly ReaderPass[]): Promise<void> {
    const walls: WallHead[] = [];
    const lists: Revocations[] = [];
    for (const pass of passes) {
      const wall = pass.wall;
      if (wall === me || wall === peer) continue;
      // The wall of someone who is not this side's friend is left out without a word.
      const friend = await replica.friend(wall);
      if (!friend) continue;
      const seq = await heldSeq(wall);
      if (passesChecked.has(wall)) {
        if (allowed.has(wall)) walls.push({ wall, headSeq: seq });
        continue;
      }
      passesChecked.add(wall);
      const revocations = await store.revocations(wall);
      const genuine = checkPass(pass, { wall, reader: peer, readerKey: d.peerKey, ownerKeys: await ownerKeysOf(wall, friend), now: d.now(), revocations: null });
      const revoked = genuine.ok && !!revocations && isRevoked(revocations, pass.tag);
      // The friend's own genuine pass earns the owner's list, so a revoked reader learns it and stops asking.
      if (genuine.ok && revocations) lists.push(revocations);
      if (!genuine.ok || revoked) {
        allowed.delete(wall);
        d.onRefused(wall, genuine.ok ? `@${wall} has revoked this pass` : genuine.reason);
        continue;
      }
      allowed.set(wall, pass.tag);
      walls.push({ wall, headSeq: seq });
    }
    // The lists go first, so a reader that relays further passes them on with the wall.
    for (const list of lists) d.send({ type: 'revocations', list });
    d.send({ type: 'holds', walls });
  }

  async function onHolds(walls: readonly WallHead[]): Promise<void> {
    for (const { wall, headSeq } of walls) {
      if (!asked.has(wall)) continue;
      offered.set(wall, Math.max(headSeq, offered.get(wall) ?? 0));
      if (headSeq > (await heldSeq(wall))) await d.pull(wall);
      await handOver(wall);
    }
  }

  /** Gives the friend (who holds `wall`, so is its owner's friend) what this side's outbox has for `wall`. */
  async function handOver(wall: string): Promise<void> {
    const items = (await replica.outbox(wall)).filter((i) => !handedOver.has(i.id));
    for (const i of items) handedOver.add(i.id);
    for (const frame of packCarry(wall, items)) d.sendFrame(frame);
  }

  async function onCarry(m: Message<'carry'>): Promise<void> {
    if (!(await stillAllowed(m.wall))) return d.refuse('not_allowed', `@${peer} asked to carry entries for @${m.wall} without a valid pass.`);
    const items = await liveCarried(m.wall);
    const totals = await store.carriedTotals();
    let count = totals.count;
    let bytes = totals.bytes;
    let fromPeer = items.filter((c) => c.entry.header.author === peer).length;
    // Cheap checks first: an entry already carried or sealed, or one there is no room for, costs no signature check.
    for (const entry of m.entries) {
      const h = entry.header;
      const id = entryId(h);
      const size = encodeWith(writeSignedEntry, entry).length;
      if (items.some((c) => c.id === id) || (await replica.entryById(m.wall, id))) continue;
      // Full: the author keeps the entry in its own outbox, so nothing is lost by not taking it.
      if (fromPeer >= LIMITS.carriedPerAuthor || count >= LIMITS.carriedTotal || bytes + size > LIMITS.carriedBytes) return;
      const own = h.wall === m.wall && h.author === peer && bytesEqual(h.authorKey, d.peerKey);
      if (!own || !entry.body || !bodyMatches(h, entry.body) || !verifyAuthor(entry)) {
        return d.refuse('bad_message', `@${peer} asked to carry an entry that is not theirs as signed.`);
      }
      await store.addCarried({ id, wall: m.wall, entry, bytes: size, carriedAt: d.now() });
      fromPeer++;
      count++;
      bytes += size;
    }
  }


  return {
    /** After the handshake: the friend's pass and this side's revocations, then what the friend holds, then its carried entries. */
    async start(): Promise<void> {
      d.send({ type: 'pass', pass: await passFor(store, identity, { handle: peer, key: d.peerKey }, d.now(), d.randomBytes) });
      await sendOwnList();
      await askHeads();
      await deliverCarried();
    },
    async receive(m: Message<'pass' | 'revocations' | 'heads' | 'holds' | 'carry'>): Promise<void> {
      switch (m.type) {
        case 'pass':
          return onPass(m.pass);
        case 'revocations':
          return onRevocations(m.list);
        case 'heads':
          return onHeads(m.passes);
        case 'holds':
          return onHolds(m.walls);
        case 'carry':
          return onCarry(m);
      }
    },
    /** May the friend read `wall` through this side? */
    mayServe: stillAllowed,
    /** The friend holds `wall` further than this side. */
    async behind(wall: string): Promise<boolean> {
      return (offered.get(wall) ?? 0) > (await heldSeq(wall));
    },
    /** The friend says it holds more of a third wall. */
    async notified(wall: string, headSeq: number): Promise<void> {
      if (!asked.has(wall)) return;
      offered.set(wall, Math.max(headSeq, offered.get(wall) ?? 0));
      if (headSeq > (await heldSeq(wall))) await d.pull(wall);
    },
    /** This side's copy of a third wall grew: tell the friend if it may read it. */
    async announceWall(wall: string): Promise<void> {
      if (await stillAllowed(wall)) d.send({ type: 'notify', wall, headSeq: await heldSeq(wall) });
    },
    /** Answers to carried submissions: sealed or refused ends the carrying, deferred keeps it. */
    async answered(results: readonly SubmitResult[]): Promise<void> {
      const done: string[] = [];
      for (const r of results) {
        const id = toHex(r.id);
        if (carriedInFlight.delete(id) && r.status !== 'deferred') done.push(id);
      }
      if (done.length) await store.removeCarried(peer, done);
    },
    /** Entries of `wall` now sealed need no carrying any more. */
    async dropSealed(wall: string): Promise<void> {
      const sealed: string[] = [];
      for (const c of await store.carried(wall)) if (await replica.entryById(wall, c.id)) sealed.push(c.id);
      if (sealed.length) await store.removeCarried(wall, sealed);
    },
    /**
     * Brings an open session up to date with what this side did meanwhile: a friendship it ended
     * (its revocation list) and entries it wrote for walls the friend holds.
     */
    async announce(): Promise<void> {
      await sendOwnList();
      for (const wall of offered.keys()) await handOver(wall);
    },
    /** Sends carried entries again (the owner's wall grew, e.g. after a restore that deferred them). */
    deliverCarried,
    clear(): void {
      carriedInFlight.clear();
    },
  };
}

export type RelayRole = ReturnType<typeof createRelayRole>;
