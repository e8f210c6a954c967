import { sha256 } from '@noble/hashes/sha2.js';
import { writeOwnEntry, queueForFriend, type Draft } from '../../../core/author';
import { createIdentity, type Identity, type RandomBytes } from '../../../core/identity';
import { createMemoryReplica } from '../../../core/memoryReplica';
import { pinFriend } from '../../../core/friendship';
import { createRelayMessage, parseRelayMessage } from '../../../core/relayMessage';
import { createMemoryRelayStore, createWallPulls } from '../../../core/relay';
import { createSignatureCache } from '../../../core/signatureCache';
import type { Replica } from '../../../core/replica';
import { createMemoryMediaStore, type MediaStore } from '../../../core/mediaStore';
import type { MediaEvent } from '../../../core/syncMedia';
import type { RelayDeps } from '../../../core/syncRelay';
import type { RefillMarks } from '../../../core/syncRefill';
import type { OwnRecovery } from '../../../core/ownRecovery';
import { createMemoryForkStatements } from '../../../core/forkStatement';
import { createMemorySettledForks } from '../../../core/settledForks';
import type { ForkDeps } from '../../../core/syncForks';
import { createSyncSession, type SyncEvent, type SyncSession } from '../../../core/syncSession';
import { createMemoryTransportPair, type FrameTap } from '../../../core/transport';
import { createVerifier, pureVerifier, type Verifier } from '../../../core/verifier';

/** Deterministic randomness: SHA-256 of a seed and a counter. */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let at = 0; at < length; at += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}/${counter++}`));
      out.set(block.subarray(0, Math.min(32, length - at)), at);
    }
    return out;
  };
}

export function fakeClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => (t += 1000);
}

export type User = {
  identity: Identity;
  replica: Replica;
  randomBytes: RandomBytes;
  now: () => number;
  events: SyncEvent[];
  /** Absent for a peer that speaks protocol version 1 only (no relaying). */
  relay?: RelayDeps;
  /** The versions this user's sessions offer, when not the implementation's own (an older peer). */
  versions?: readonly number[];
  /** How this user checks signatures: WebCrypto's Ed25519 as the extension does, unless made with `verifier: 'pure'`. */
  verifier: Verifier;
  /** Photo files (version 4), when made with `media: true`. */
  media?: { store: MediaStore; onEvent: (e: MediaEvent) => void; events: MediaEvent[]; refill?: RefillMarks };
  /** Recovering its own wall without the key (§8, version 5), shared by its sessions. */
  ownRecovery?: OwnRecovery;
  /** Fork statements made and followed (§8 Forks, version 5), when made with `forks: true`. */
  forks?: ForkDeps;
};

export function makeUser(
  handle: string,
  seed = handle,
  options: { relay?: boolean; verifier?: 'native' | 'pure'; versions?: readonly number[]; media?: boolean; forks?: boolean } = {},
): User {
  const randomBytes = seededRandom(seed);
  const now = fakeClock();
  const relay = options.relay === false ? undefined : { store: createMemoryRelayStore(), pulls: createWallPulls(() => now()), verified: createSignatureCache() };
  const verifier = options.verifier === 'pure' ? pureVerifier : createVerifier({ subtle: globalThis.crypto.subtle });
  const events: MediaEvent[] = [];
  const media = options.media ? { store: createMemoryMediaStore(), onEvent: (e: MediaEvent) => events.push(e), events } : undefined;
  return { identity: createIdentity(handle, randomBytes), replica: createMemoryReplica(), randomBytes, now, events: [], relay, verifier, versions: options.versions, media, forks: options.forks ? { statements: createMemoryForkStatements(), settled: createMemorySettledForks() } : undefined };
}

export const deps = (u: User) => ({ randomBytes: u.randomBytes, now: u.now, verifier: u.verifier });

/** Befriends two users the way the extension does: a signed request and a signed acceptance via the relay. */
export async function befriend(a: User, b: User): Promise<void> {
  const request = createRelayMessage(a.identity, 'friend-request', b.identity.handle, {}, deps(a));
  if (!request.ok) throw new Error(request.reason);
  const received = parseRelayMessage(JSON.parse(JSON.stringify(request.value)), a.identity.handle, b.identity.handle);
  if (!received.ok) throw new Error(received.reason);
  await pinFriend(b.replica, received.value, b.now);
  const accept = createRelayMessage(b.identity, 'friend-accept', a.identity.handle, { replyTo: received.value.nonce }, deps(b));
  if (!accept.ok) throw new Error(accept.reason);
  const accepted = parseRelayMessage(JSON.parse(JSON.stringify(accept.value)), b.identity.handle, a.identity.handle);
  if (!accepted.ok) throw new Error(accepted.reason);
  await pinFriend(a.replica, accepted.value, a.now);
}

export type Link = { a: SyncSession; b: SyncSession; settle(): Promise<void> };

/** Opens a sync session between two users over an in-memory pair and runs it until both sides are quiet. */
export async function connect(
  a: User,
  b: User,
  options: { tap?: FrameTap; fingerprints?: [string, string, string, string]; allowUnanswered?: boolean } = {},
): Promise<Link> {
  const [ta, tb] = createMemoryTransportPair(options.tap);
  const [aLocal, aRemote, bLocal, bRemote] = options.fingerprints ?? ['fp-' + a.identity.handle, 'fp-' + b.identity.handle, 'fp-' + b.identity.handle, 'fp-' + a.identity.handle];
  const sa = createSyncSession({
    replica: a.replica, identity: a.identity, peer: b.identity.handle, transport: ta,
    localFingerprint: aLocal, remoteFingerprint: aRemote, ...deps(a), relay: a.relay, versions: a.versions, media: a.media, ownRecovery: a.ownRecovery, forks: a.forks, onEvent: (e) => a.events.push(e),
  });
  const sb = createSyncSession({
    replica: b.replica, identity: b.identity, peer: a.identity.handle, transport: tb,
    localFingerprint: bLocal, remoteFingerprint: bRemote, ...deps(b), relay: b.relay, versions: b.versions, media: b.media, ownRecovery: b.ownRecovery, forks: b.forks, onEvent: (e) => b.events.push(e),
  });
  const settle = async () => {
    for (let i = 0; i < (options.allowUnanswered ? 50 : 10_000); i++) {
      await sa.idle();
      await sb.idle();
      await new Promise((r) => setImmediate(r));
      if (sa.settled() && sb.settled()) {
        await sa.idle();
        await sb.idle();
        if (sa.settled() && sb.settled()) return;
      }
    }
    if (!options.allowUnanswered) throw new Error('sync did not settle');
  };
  sa.start();
  sb.start();
  await settle();
  return { a: sa, b: sb, settle };
}

export async function post(u: User, draft: Draft) {
  const r = await writeOwnEntry(u.replica, u.identity, draft, deps(u));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

export async function queue(u: User, wall: string, draft: Draft) {
  const r = await queueForFriend(u.replica, u.identity, wall, draft, deps(u));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

export const text = (t: string): Draft => ({ kind: 'post', body: { text: t, media: [] } });
