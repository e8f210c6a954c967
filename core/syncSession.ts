import { bodyVersion } from './body';
import { truncateText } from './bytes';
import { batchEntriesFor, decodeMessage, mediaWindowFor, encodeMessage as encodeFrame, type ErrorCode, helloVersions, MEDIA_VERSION, type PeerMessage, PROTOCOL_VERSIONS, RECOVERY_VERSION, RELAY_VERSION } from './messages';
import { negotiateVersion } from './handshake';
import type { Identity, RandomBytes } from './identity';
import { LIMITS } from './limits';
import { type Replica, type SignedEntry, StorageFullError } from './replica';
import { helloRotations, readableBeforeRecovery } from './keyHistory';
import { safetyNumber } from './safetyNumber';
import { createAnswers } from './syncAnswers';
import { createBatchIngest } from './syncBatches';
import { createSubmissions } from './syncSubmissions';
import { createWants } from './syncWants';
import { createForkRole, type ForkDeps, type ForkRole } from './syncForks';
import { createHandshake } from './syncHandshake';
import { createRelayRole, type RelayDeps, type RelayRole } from './syncRelay';
import type { OwnRecovery } from './ownRecovery';
import type { Result } from './result';
import { createRefill } from './syncRefill';
import { createMediaRole, type MediaDeps, type MediaRole } from './syncMedia';
import type { Transport } from './transport';
import { pureVerifier, type Verifier } from './verifier';
import type { SyncEvent } from './syncEvent';

export type { SyncEvent } from './syncEvent';

export type SyncSessionDeps = {
  replica: Replica;
  identity: Identity;
  /** The handle the connection was opened to or from (the broker-authenticated PeerJS id). */
  peer: string;
  transport: Transport;
  /** DTLS fingerprints of this side's and the other side's certificate, from the SDP. */
  localFingerprint: string;
  remoteFingerprint: string;
  randomBytes: RandomBytes;
  now: () => number;
  /** Versions offered in `hello`; defaults to PROTOCOL_VERSIONS with `relay` (below 4 without `media`), else version 1 only. */
  versions?: readonly number[];
  /** Relaying (version 2, §7.5): this side's pass store and the registry its sessions share. */
  relay?: RelayDeps;
  /** Photos (version 4, §7.6): this side's file store. */
  media?: MediaDeps;
  /** Recovering one's own wall without the key (§8, version 5): one per side, shared by its sessions. */
  ownRecovery?: OwnRecovery;
  /** Repairing one's own wall's forks and following friends' repairs (§8 Forks, version 5): where statements are kept. */
  forks?: ForkDeps;
  /** Checks the friend's signatures; share one per side so its imported keys serve every session. Pure by default. */
  verifier?: Verifier;
  onEvent?: (event: SyncEvent) => void;
};

export type SyncSession = {
  /** Sends `hello`; everything else follows from the peer's messages. */
  start(): void;
  readonly state: 'handshake' | 'ready' | 'closed';
  /** Resolves once every frame received so far has been handled. */
  idle(): Promise<void>;
  /** Ready (or closed) with no request of this side left unanswered. */
  settled(): boolean;
  /** Tells the peer this side's wall has new entries and submits anything newly queued for the peer. */
  announce(): Promise<void>;
  /** Tells the peer this side's copy of a third wall grew, if the peer may read it (version 2). */
  announceWall(wall: string): Promise<void>;
  close(): void;
};

/**
 * One authenticated sync conversation with one friend over one transport (docs/protocol.md §7):
 * handshake, then pull the friend's wall and one's own wall (recovery) by sequence in bounded
 * batches, serve the same to the friend, and deliver the outbox. Bad input closes the session
 * with an `error` frame; it never throws and never half-applies.
 */
export function createSyncSession(deps: SyncSessionDeps): SyncSession {
  const { replica, identity, peer, transport } = deps;
  const verifier = deps.verifier ?? pureVerifier;
  const me = identity.handle;
  const versions = deps.versions ?? (deps.relay ? PROTOCOL_VERSIONS.filter((v) => deps.media || v < MEDIA_VERSION) : [1]);
  let relay: RelayRole | null = null;
  let media: MediaRole | null = null;
  let forks: ForkRole | null = null;
  /** A friend on an older version gets entries without the bodies it cannot read, and no such submissions (§7.6). */
  const readable = (e: SignedEntry) => bodyVersion(e.header.kind, e.body) <= version;
  const myNonce = deps.randomBytes(32);
  let state: SyncSession['state'] = 'handshake';
  let version = 0;
  let peerGenesis: Uint8Array | null = null;
  let chain: Promise<void> = Promise.resolve();

  const emit = (event: SyncEvent) => {
    deps.onEvent?.(event);
    if (event.type === 'wallUpdated' && media) void enqueue(async () => media?.stored(event.wall, [...event.added, ...(event.filled ?? [])], event.feed));
  };
  const send = (m: PeerMessage) => {
    if (state !== 'closed') transport.send(encodeFrame(m));
  };

  const sendFrame = (frame: Uint8Array) => {
    if (state !== 'closed') transport.send(frame);
  };
  const wants = createWants({
    replica,
    me,
    peer,
    send,
    pulls: deps.relay?.pulls,
    ready: () => state === 'ready',
    maxEntries: () => batchEntriesFor(version),
    enqueue: (work) => void enqueue(work),
    behind: async (wall) => (await relay?.behind(wall)) ?? false,
    now: deps.now,
  });
  const refill = createRefill({ replica, peer, marks: () => (media ? deps.media?.refill : undefined), open: () => state !== 'closed' });
  const submissions = createSubmissions({
    replica,
    identity,
    peer,
    now: deps.now,
    verifier,
    send,
    sendFrame,
    onDelivered: (wall, id) => emit({ type: 'delivered', wall, id }),
    onUndeliverable: (id, reason, entry) => emit({ type: 'undeliverable', wall: peer, id, reason, entry }),
    readable,
  });

  const batches = createBatchIngest({
    replica,
    identity,
    peer,
    verifier,
    now: deps.now,
    wants,
    submissions,
    relay: () => relay,
    peerGenesis: () => peerGenesis!,
    ready: () => state === 'ready',
    maxEntries: () => batchEntriesFor(version),
    emit,
    refuse: (code, reason) => shutdown(code, reason, true),
    announce: () => announce(),
    ownRecovery: deps.ownRecovery,
    forks: () => forks,
  });
  // Once the wall is restored, the friend hears of it and resubmits what was deferred meanwhile.
  const stopWaiting = deps.ownRecovery?.onDone(() => void enqueue(announce));

  function shutdown(code: ErrorCode | null, reason: string, tell: boolean, cause: { byPeer?: boolean; storageFull?: boolean } = {}): void {
    if (state === 'closed') return;
    if (tell && code) send({ type: 'error', code, message: truncateText(reason, LIMITS.errorMessageChars) });
    state = 'closed';
    stopWaiting?.();
    wants.clear();
    batches.clear();
    submissions.clear();
    relay?.clear();
    media?.clear();
    emit({ type: 'closed', code, reason, byPeer: cause.byPeer ?? false, storageFull: cause.storageFull ?? false });
    transport.close();
  }

  function unsupportedVersion(offered: readonly number[]): void {
    shutdown('unsupported_version', `Protocol versions ${versions.join(', ')} are not compatible with ${offered.join(', ') || 'none'}; update Peerwall.`, true);
  }

  const handshake = createHandshake({
    replica,
    identity,
    peer,
    versions,
    verifier,
    nonce: myNonce,
    localFingerprint: deps.localFingerprint,
    remoteFingerprint: deps.remoteFingerprint,
    send,
    refuse: (code, reason) => shutdown(code, reason, true),
    unsupported: unsupportedVersion,
    onKeyChanged: (key) => emit({ type: 'keyChanged', handle: peer, key }),
    onKeyRotated: (key) => emit({ type: 'keyRotated', handle: peer, key }),
  });

  async function onAuth(signature: Uint8Array): Promise<void> {
    const settled = await handshake.auth(signature);
    if (!settled || state === 'closed') return;
    const { peerSide } = settled;
    version = settled.version;
    peerGenesis = settled.peerGenesis;
    state = 'ready';
    if (version >= RELAY_VERSION && deps.relay) relay = relayRole(deps.relay, peerSide.key);
    if (version >= MEDIA_VERSION && deps.media) media = mediaRole(deps.media);
    if (version >= RECOVERY_VERSION && deps.forks) forks = forkRole(deps.forks);
    emit({ type: 'ready', version, safetyNumber: safetyNumber({ handle: me, key: identity.publicKey }, peerSide) });
    await wants.request(peer, (await refill.point()) ?? undefined);
    const recovery = deps.ownRecovery;
    if (!recovery?.active) await wants.request(me, forks ? await forks.ownWantFrom() : undefined);
    else if (recovery.waitingFor().includes(peer)) await wants.request(me, await recovery.held(peer));
    await flushOutbox();
    await relay?.start();
    await media?.start();
    await forks?.start();
  }

  function mediaRole(mediaDeps: MediaDeps): MediaRole {
    const ready = () => state === 'ready';
    const drained = () => transport.drained?.() ?? Promise.resolve();
    const failed = (e: unknown) => void enqueue(() => Promise.reject(e)); // ends the session as any storage failure does
    const solicit = (frames: number) => transport.solicit?.(frames);
    return createMediaRole({ media: mediaDeps, replica, me, peer, relay: () => relay, now: deps.now, window: mediaWindowFor(version), send, drained, solicit, open: ready, refuse: (code, reason) => shutdown(code, reason, true), failed });
  }

  function forkRole(forkDeps: ForkDeps): ForkRole {
    return createForkRole({
      forks: forkDeps,
      replica,
      identity,
      peer,
      verifier,
      now: deps.now,
      send,
      wants,
      serves: async (wall) => wall === me || (await relay?.admit(wall)) === 'serve',
      refuse: (code, reason) => shutdown(code, reason, true),
      emit,
      announce: () => announce(),
    });
  }

  function relayRole(relayDeps: RelayDeps, peerKey: Uint8Array): RelayRole {
    return createRelayRole({
      replica,
      identity,
      relay: relayDeps,
      peer,
      peerKey,
      now: deps.now,
      randomBytes: deps.randomBytes,
      send,
      sendFrame,
      pull: wants.request,
      refuse: (code, reason) => shutdown(code, reason, true),
      onRefused: (wall, reason) => emit({ type: 'relayRefused', wall, reason }),
      readable,
    });
  }

  const onWant = createAnswers({
    replica,
    me,
    peer,
    admitThirdWall: async (wall) => (await relay?.admit(wall)) ?? 'never',
    sendFrame: (frame) => sendFrame(frame),
    peerHolds: (wall, seq) => emit({ type: 'peerHolds', wall, seq }),
    refuse: (code, reason) => shutdown(code, reason, true),
    forPeer: (e) => (readable(e) ? e : { ...e, body: null }),
    readableUpTo: async (wall) => {
      if (version >= RECOVERY_VERSION) return null;
      const history = wall === me ? (deps.ownRecovery?.identity ?? identity).rotations : ((await replica.friend(wall))?.rotations ?? []);
      return readableBeforeRecovery(history, wall === me);
    },
  });

  async function flushOutbox(): Promise<void> {
    if (state === 'ready') await submissions.flush();
  }

  async function announce(): Promise<void> {
    if (state !== 'ready') return;
    send({ type: 'notify', wall: me, headSeq: (await replica.wallState(me))?.seq ?? 0 });
    await flushOutbox();
    await relay?.announce();
  }

  let started = false;
  function start(): void {
    if (started) return;
    started = true;
    send({ type: 'hello', versions: [...versions], handle: me, key: identity.publicKey, nonce: myNonce, rotations: helloRotations(identity.rotations) });
  }

  async function handle(frame: Uint8Array, decoded: Result<PeerMessage>): Promise<void> {
    if (state === 'closed') return;
    const handledAt = deps.now();
    start(); // our hello must precede our auth even if the peer spoke first
    if (!decoded.ok) {
      const offered = state === 'handshake' ? helloVersions(frame) : null;
      if (offered && negotiateVersion(versions, offered) === null) return unsupportedVersion(offered);
      return shutdown(frame.length > LIMITS.frameBytes ? 'too_large' : 'bad_message', decoded.reason, true);
    }
    const m = decoded.value;
    if (m.type === 'error') return shutdown(m.code, `@${peer} closed the connection: ${m.message}`, false, { byPeer: true });
    if (state === 'handshake') {
      if (m.type === 'hello' && !handshake.helloSeen) return handshake.hello(m);
      if (m.type === 'auth') return onAuth(m.signature);
      return shutdown('bad_message', `Unexpected ${m.type} during the handshake.`, true);
    }
    switch (m.type) {
      case 'want':
        if (m.max > batchEntriesFor(version)) return shutdown('bad_message', `want.max ${m.max} is over ${batchEntriesFor(version)} in protocol version ${version}.`, true);
        forks?.wanted(m.wall, m.afterSeq);
        return onWant(m);
      case 'batch':
        if (m.entries.length > batchEntriesFor(version)) return shutdown('bad_message', `A batch of ${m.entries.length} entries is over ${batchEntriesFor(version)} in protocol version ${version}.`, true);
        await batches.onBatch(m, frame.length, handledAt);
        return refill.reached(m);
      case 'notify':
        if (m.wall !== peer) return relay?.notified(m.wall, m.headSeq);
        if (m.headSeq > ((await replica.wallState(peer))?.seq ?? 0)) await wants.request(peer);
        await media?.retry(peer);
        await relay?.deliverCarried();
        return flushOutbox();
      case 'submit': {
        const outcome = await submissions.receive(m.entries, relay !== null);
        if (outcome === 'corrupt') return shutdown('bad_message', 'A submitted entry does not match its signature.', true);
        // Only what was sealed now is news: a resent entry already on the wall changes nothing (and a
        // friend resending one must not make this side announce to every other friend).
        if (outcome.sealed.length > 0) {
          const { sealed } = outcome;
          emit({ type: 'wallUpdated', wall: me, added: sealed.map((s) => s.entry), feed: sealed.flatMap((s) => s.feed), via: null });
          await announce();
        }
        return;
      }
      case 'submitted':
        await submissions.answered(m.results);
        return relay?.answered(m.results);
      case 'pass':
      case 'revocations':
      case 'heads':
      case 'holds':
      case 'carry':
        if (!relay) return shutdown('bad_message', `Unexpected ${m.type} in protocol version ${version}.`, true);
      {
        const holders = relay.holderWalls;
        await relay.receive(m);
        // The friend proved it holds another third wall: it may hold its photos too (§7.6). Only then:
        // a stream of `holds` frames must not make this side re-read every file it still wants.
        return relay.holderWalls > holders ? media?.start() : undefined;
      }
      case 'fork':
      case 'forked':
        if (!forks) return shutdown('bad_message', `Unexpected ${m.type} in protocol version ${version}.`, true);
        return m.type === 'fork' ? forks.onFork(m.wall) : forks.onForked(m.statement);
      case 'fetch':
      case 'chunk':
      case 'missing':
        if (!media) return shutdown('bad_message', `Unexpected ${m.type} in protocol version ${version}.`, true);
        return media.receive(m);
      default:
        return shutdown('bad_message', `Unexpected ${m.type} after the handshake.`, true);
    }
  }

  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch((e: unknown) => {
      const storageFull = e instanceof StorageFullError;
      shutdown(null, `Sync with @${peer} stopped: ${e instanceof Error ? e.message : 'storage failed'}.`, false, { storageFull });
    });
    return chain;
  };

  transport.onFrame((frame) => {
    const decoded = decodeMessage(frame);
    batches.arrived(decoded);
    if (decoded.ok && decoded.value.type === 'chunk') media?.arrived(decoded.value);
    void enqueue(() => handle(frame, decoded));
  });
  // After the frames that arrived before the close: the last one may be the peer's `error`.
  transport.onClose(() => void enqueue(async () => shutdown(null, `The connection to @${peer} closed.`, false)));

  return {
    start,
    get state() {
      return state;
    },
    async idle() {
      let seen: Promise<void> | null = null;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    settled() {
      return state === 'closed' || (state === 'ready' && wants.pending === 0 && submissions.pending === 0 && (media?.pending ?? 0) === 0);
    },
    announce: () => enqueue(announce),
    announceWall: (wall: string) => enqueue(async () => relay?.announceWall(wall)),
    close: () => shutdown(null, 'Closed.', false),
  };
}
