import { bytesEqual } from './bytes';
import type { SignedEntry } from './entry';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import type { ErrorCode, PeerMessage, SubmitResult, WallHead } from './messages';
import { checkPass, type ReaderPass } from './readerPass';
import { passFor, type RelayStore, type WallPulls } from './relay';
import type { FriendRecord, Replica } from './replica';
import { checkRevocations, isRevoked, type Revocations } from './revocations';
import { keysOf } from './knownAuthors';
import type { SignatureCache } from './signatureCache';
import { createCarry } from './syncCarry';

/**
 * What a session needs to relay (protocol version 2): one store and one pull registry per side,
 * and optionally the passes it verified already, shared by its sessions.
 */
export type RelayDeps = { store: RelayStore; pulls: WallPulls; verified?: SignatureCache };

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
  /** A pass, revocation list or relayed wall from the friend that this side did not take, and why. */
  onRefused(wall: string, reason: string): void;
  /** Whether the friend can read an entry's body in the negotiated version (§7.6). */
  readable(entry: SignedEntry): boolean;
};

/** What a holder may do with a friend's request for a third wall: serve it, or not (any more). */
export type Admission = 'serve' | 'revoked' | 'never';

/** The wall's genesis key as the reader's pin of its owner gives it. */
export { genesisOfFriend } from './keyHistory';

/**
 * The relaying half of a version-2 session (docs/protocol.md §7.5). As an owner it gives the friend
 * a reader pass and its revocation list. As a reader it shows the passes it holds, checks that the
 * friend holds a pass too before pulling from it or handing it entries to carry, and pulls any wall
 * the friend is ahead on. As a holder it serves a third wall only to a friend whose pass it checked,
 * sending the owner's newest revocation list first, and delivers carried entries to their owner.
 */
export function createRelayRole(d: RelayRoleDeps) {
  const { replica, identity, peer } = d;
  const { store } = d.relay;
  const me = identity.handle;
  /** Third walls the friend showed a valid pass for: its tag and expiry, re-checked before serving. */
  const allowed = new Map<string, { tag: Uint8Array; expiresAt: number }>();
  const everAllowed = new Set<string>();
  /** Third walls whose pass this session checked, either way: one signature check per wall and session. */
  const passesChecked = new Set<string>();
  /** Third walls this side showed a pass for; of those, how far the friend (whose own pass checked out) holds them. */
  const asked = new Set<string>();
  const holderChecked = new Set<string>();
  const offered = new Map<string, number>();
  /** Relayed walls the friend sent invalid entries of: not pulled from it again in this session. */
  const refused = new Set<string>();
  /** `issuedAt` of the revocation list last sent for each wall in this session. */
  const listsSent = new Map<string, number>();
  const carry = createCarry({ replica, store, peer, peerKey: d.peerKey, now: d.now, sendFrame: d.sendFrame, readable: d.readable });

  const heldSeq = async (wall: string): Promise<number> => (await replica.wallState(wall))?.seq ?? 0;


  /** Sends the newest revocation list of `wall` unless this session already had it. */
  async function sendList(wall: string): Promise<void> {
    const list = await store.revocations(wall);
    if (!list || list.issuedAt <= (listsSent.get(wall) ?? 0)) return;
    listsSent.set(wall, list.issuedAt);
    d.send({ type: 'revocations', list });
  }

  async function admit(wall: string): Promise<Admission> {
    const pass = allowed.get(wall);
    if (!pass) return everAllowed.has(wall) ? 'revoked' : 'never';
    const list = await store.revocations(wall);
    if ((list && isRevoked(list, pass.tag)) || pass.expiresAt <= d.now() || !(await replica.friend(wall))) {
      allowed.delete(wall);
      return 'revoked';
    }
    // The owner's newest list travels before the wall, so whoever holds entries written after a
    // revocation has heard of it (§7.5).
    await sendList(wall);
    return 'serve';
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

  async function onPass(pass: ReaderPass): Promise<void> {
    const held = (await store.passes()).find((p) => p.wall === peer);
    if (held && bytesEqual(held.sig, pass.sig)) return; // the pass this side holds: nothing to check
    const checked = checkPass(pass, { wall: peer, reader: me, readerKey: identity.publicKey, ownerKeys: [d.peerKey], now: d.now(), revocations: null });
    if (!checked.ok) return d.refuse('bad_message', `@${peer} sent a reader pass that is not valid: ${checked.reason}.`);
    if (!held || held.expiresAt < pass.expiresAt || !bytesEqual(held.tag, pass.tag)) await store.putPass(pass);
  }

  async function onRevocations(list: Revocations): Promise<void> {
    const wall = list.wall;
    const held = await store.revocations(wall);
    if (held && held.issuedAt >= list.issuedAt) return; // not news: no signature to check
    // One's own list comes back from friends after a reinstall; it is checked against one's own keys.
    const friend = wall === me ? null : await replica.friend(wall);
    const keys = wall === me ? keysOf(identity.publicKey, identity.rotations) : friend ? [friend.key] : null;
    if (!keys) return;
    const checked = checkRevocations(list, wall, keys, held, d.now());
    if (!checked.ok) return d.onRefused(wall, checked.reason);
    if (checked.value !== 'newer') return;
    await store.putRevocations(list);
    const mine = (await store.passes()).find((p) => p.wall === wall);
    if (mine && isRevoked(list, mine.tag)) await store.dropPass(wall);
  }

  async function onHeads(passes: readonly ReaderPass[]): Promise<void> {
    const walls: WallHead[] = [];
    const mine = await store.passes();
    const now = d.now();
    for (const pass of passes) {
      const wall = pass.wall;
      if (wall === me || wall === peer) continue;
      // The wall of someone who is not this side's friend is left out without a word.
      const friend = await replica.friend(wall);
      if (!friend) continue;
      if (!passesChecked.has(wall)) {
        passesChecked.add(wall);
        const revocations = await store.revocations(wall);
        const genuine = checkPass(pass, { wall, reader: peer, readerKey: d.peerKey, ownerKeys: [friend.key], now, revocations: null, verified: d.relay.verified });
        // The friend's own genuine pass earns the owner's list, so a revoked reader learns it and stops asking.
        if (genuine.ok) await sendList(wall);
        if (!genuine.ok || (revocations && isRevoked(revocations, pass.tag))) {
          d.onRefused(wall, genuine.ok ? `@${wall} has revoked this pass` : genuine.reason);
          continue;
        }
        allowed.set(wall, { tag: pass.tag, expiresAt: pass.expiresAt });
        everAllowed.add(wall);
      }
      // This side proves it is the owner's friend with its own pass; without a live one it cannot serve.
      const own = mine.find((p) => p.wall === wall && p.expiresAt > now);
      if (allowed.has(wall) && own) walls.push({ wall, headSeq: await heldSeq(wall), pass: own });
    }
    d.send({ type: 'holds', walls });
  }

  async function onHolds(walls: readonly WallHead[]): Promise<void> {
    for (const { wall, headSeq, pass } of walls) {
      if (!asked.has(wall) || refused.has(wall)) continue;
      if (!holderChecked.has(wall)) {
        holderChecked.add(wall);
        const friend = await replica.friend(wall);
        if (!friend) continue;
        const checked = checkPass(pass, {
          wall,
          reader: peer,
          readerKey: d.peerKey,
          ownerKeys: [friend.key],
          now: d.now(),
          revocations: await store.revocations(wall),
          verified: d.relay.verified,
        });
        if (!checked.ok) {
          d.onRefused(wall, `@${peer} showed no valid pass of its own for @${wall}'s wall: ${checked.reason}`);
          continue;
        }
        offered.set(wall, 0);
      }
      if (!offered.has(wall)) continue;
      offered.set(wall, Math.max(headSeq, offered.get(wall)!));
      if (headSeq > (await heldSeq(wall))) await d.pull(wall);
      await carry.handOver(wall);
    }
  }

  return {
    /** After the handshake: the friend's pass and this side's revocations, then what the friend holds, then its carried entries. */
    async start(): Promise<void> {
      d.send({ type: 'pass', pass: await passFor(store, identity, { handle: peer, key: d.peerKey }, d.now(), d.randomBytes) });
      await sendList(me);
      // The friend's own list goes back to it too: after a reinstall that is how it gets it again.
      await sendList(peer);
      await store.dropCarriedBefore(d.now() - LIMITS.passLifetimeMs);
      await askHeads();
      await carry.deliver();
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
        case 'carry': {
          const admission = m.entries.length ? await admit(m.wall) : 'serve';
          // A friendship that ended during the session is no fault of the friend's.
          if (admission === 'revoked') return;
          if (admission === 'never') return d.refuse('not_allowed', `@${peer} asked to carry entries for @${m.wall} without a valid pass.`);
          const taken = await carry.take(m.wall, m.entries);
          if (!taken.ok) d.refuse('bad_message', taken.reason);
          return;
        }
      }
    },
    /** May the friend read third wall `wall` through this side? Sends the owner's newest revocation list first. */
    admit,
    /** How many third walls the friend proved it holds a copy of in this session (grows only). */
    get holderWalls(): number {
      return offered.size;
    },
    /** The friend proved it is a friend of third wall `wall`'s owner and holds a copy (§7.5): it may hold its photos. */
    holds: (wall: string): boolean => offered.has(wall) && !refused.has(wall),
    /** The friend holds `wall` further than this side. */
    async behind(wall: string): Promise<boolean> {
      return !refused.has(wall) && (offered.get(wall) ?? 0) > (await heldSeq(wall));
    },
    /** The friend says it holds more of a third wall. */
    async notified(wall: string, headSeq: number): Promise<void> {
      if (!offered.has(wall) || refused.has(wall)) return;
      offered.set(wall, Math.max(headSeq, offered.get(wall)!));
      if (headSeq > (await heldSeq(wall))) await d.pull(wall);
    },
    /** The friend sent entries of a third wall that do not verify: that wall is not pulled from it again now. */
    refuseWall(wall: string, reason: string): void {
      refused.add(wall);
      d.onRefused(wall, reason);
    },
    /** This side's copy of a third wall grew: tell the friend if it may read it. */
    async announceWall(wall: string): Promise<void> {
      if ((await admit(wall)) === 'serve') d.send({ type: 'notify', wall, headSeq: await heldSeq(wall) });
    },
    answered: (results: readonly SubmitResult[]) => carry.answered(results),
    dropSealed: (wall: string) => carry.dropSealed(wall),
    /**
     * Brings an open session up to date with what this side did meanwhile: a friendship it ended
     * (its revocation list) and entries it wrote for walls the friend holds.
     */
    async announce(): Promise<void> {
      await sendList(me);
      for (const wall of offered.keys()) await carry.handOver(wall);
    },
    /** Sends carried entries (again, e.g. the owner's wall grew after a restore that deferred them). */
    deliverCarried: () => carry.deliver(),
    clear: () => carry.clear(),
  };
}

export type RelayRole = ReturnType<typeof createRelayRole>;
