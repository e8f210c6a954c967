import { acceptSubmission, genesisKeyOf, readdressOutbox } from './author';
import { ByteWriter, bytesEqual, toHex, truncateText } from './bytes';
import { decodeMessage, encodeMessage as encodeFrame, type ErrorCode, helloVersions, type PeerMessage, PROTOCOL_VERSIONS, type SubmitResult } from './messages';
import { type HandshakeSide, negotiateVersion, signHandshake, verifyHandshake } from './handshake';
import type { Identity, RandomBytes } from './identity';
import { planIngest } from './ingest';
import { LIMITS } from './limits';
import type { Replica, StoredEntry } from './replica';
import { followsFromPinned, verifyRotationChain } from './rotation';
import { safetyNumber } from './safetyNumber';
import { type SealedEntry, writeSealedEntry } from './seal';
import { bodyMatches, entryIdBytes, type SignedEntry, verifyAuthor, writeSignedEntry } from './entry';
import type { Transport } from './transport';

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
  /** Versions offered in `hello`; defaults to PROTOCOL_VERSIONS. */
  versions?: readonly number[];
  onEvent?: (event: SyncEvent) => void;
};

export type SyncEvent =
  | { type: 'ready'; version: number; safetyNumber: string }
  /** The friend moved to a new key through a valid rotation; the pin was updated. */
  | { type: 'keyRotated'; handle: string; key: Uint8Array }
  /** The friend presented a key that does not follow from the pinned one; the user must decide. */
  | { type: 'keyChanged'; handle: string; key: Uint8Array }
  | { type: 'wallUpdated'; wall: string; added: StoredEntry[] }
  | { type: 'delivered'; wall: string; id: string }
  | { type: 'undeliverable'; wall: string; id: string; reason: string }
  | { type: 'recovered'; seq: number }
  | { type: 'closed'; code: ErrorCode | null; reason: string };

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
  close(): void;
};

const FRAME_BUDGET = LIMITS.frameBytes - 1024;

/**
 * One authenticated sync conversation with one friend over one transport (docs/protocol.md §7):
 * handshake, then pull the friend's wall and one's own wall (recovery) by sequence in bounded
 * batches, serve the same to the friend, and deliver the outbox. Bad input closes the session
 * with an `error` frame; it never throws and never half-applies.
 */
export function createSyncSession(deps: SyncSessionDeps): SyncSession {
  const { replica, identity, peer, transport } = deps;
  const me = identity.handle;
  const versions = deps.versions ?? PROTOCOL_VERSIONS;
  const myNonce = deps.randomBytes(32);
  let state: SyncSession['state'] = 'handshake';
  let version = 0;
  let peerSide: HandshakeSide | null = null;
  let peerGenesis: Uint8Array | null = null;
  let pendingRotation: { key: Uint8Array; rotations: Identity['rotations'] } | null = null;
  const wants = new Map<string, number>();
  const inFlight = new Set<string>();
  let chain: Promise<void> = Promise.resolve();

  const emit = (event: SyncEvent) => deps.onEvent?.(event);
  const send = (m: PeerMessage) => {
    if (state !== 'closed') transport.send(encodeFrame(m));
  };
  const mySide = (): HandshakeSide => ({ handle: me, key: identity.publicKey, nonce: myNonce, fingerprint: deps.localFingerprint });

  function shutdown(code: ErrorCode | null, reason: string, tell: boolean): void {
    if (state === 'closed') return;
    if (tell && code) send({ type: 'error', code, message: truncateText(reason, LIMITS.errorMessageChars) });
    state = 'closed';
    wants.clear();
    inFlight.clear();
    emit({ type: 'closed', code, reason });
    transport.close();
  }

  function unsupportedVersion(offered: readonly number[]): void {
    shutdown('unsupported_version', `Protocol versions ${versions.join(', ')} are not compatible with ${offered.join(', ') || 'none'}; update Peerwall.`, true);
  }

  async function onHello(m: Extract<PeerMessage, { type: 'hello' }>): Promise<void> {
    const v = negotiateVersion(versions, m.versions);
    if (v === null) return unsupportedVersion(m.versions);
    if (m.handle !== peer) return shutdown('wrong_peer', `Expected @${peer}, but the other side says it is @${m.handle}.`, true);
    const friend = await replica.friend(peer);
    if (!friend) return shutdown('not_friends', `@${me} and @${peer} are not friends.`, true);
    const chainCheck = verifyRotationChain(peer, m.rotations, m.key);
    if (!chainCheck.ok) return shutdown('bad_auth', `@${peer}'s key history is invalid: ${chainCheck.reason}.`, true);
    if (!followsFromPinned(peer, friend.key, m.key, m.rotations)) {
      // A key the friend itself retired (e.g. a displaced device that missed the rotation) is no
      // new identity to accept: refuse it without asking the user.
      if (friend.rotations.some((s) => bytesEqual(s.oldKey, m.key))) {
        return shutdown('key_changed', `@${peer} connected with a key they have since replaced; use the device with their current key.`, true);
      }
      emit({ type: 'keyChanged', handle: peer, key: m.key });
      return shutdown('key_changed', `@${peer} presented a new key that the pinned key did not sign.`, true);
    }
    if (!bytesEqual(friend.key, m.key) || m.rotations.length > friend.rotations.length) {
      pendingRotation = { key: m.key, rotations: m.rotations };
    }
    version = v;
    peerGenesis = chainCheck.value.genesis;
    peerSide = { handle: m.handle, key: m.key, nonce: m.nonce, fingerprint: deps.remoteFingerprint };
    send({ type: 'auth', signature: signHandshake(v, mySide(), peerSide, identity.secretKey) });
  }

  async function onAuth(signature: Uint8Array): Promise<void> {
    if (!peerSide) return shutdown('bad_message', 'auth arrived before hello.', true);
    if (!verifyHandshake(version, peerSide, mySide(), signature)) {
      return shutdown('bad_auth', `@${peer}'s handshake signature does not match this connection.`, true);
    }
    if (pendingRotation) {
      const friend = await replica.friend(peer);
      if (friend) await replica.putFriend({ ...friend, key: pendingRotation.key, rotations: pendingRotation.rotations });
      if (friend && !bytesEqual(friend.key, pendingRotation.key)) {
        await readdressOutbox(replica, identity, peer, pendingRotation.key);
        emit({ type: 'keyRotated', handle: peer, key: pendingRotation.key });
      }
    }
    state = 'ready';
    emit({ type: 'ready', version, safetyNumber: safetyNumber({ handle: me, key: identity.publicKey }, peerSide) });
    await requestAfterHead(peer);
    await requestAfterHead(me);
    await flushOutbox();
  }

  async function requestAfterHead(wall: string): Promise<void> {
    if (wants.has(wall) || state !== 'ready') return;
    const afterSeq = (await replica.wallState(wall))?.seq ?? 0;
    wants.set(wall, afterSeq);
    send({ type: 'want', wall, afterSeq, max: LIMITS.batchEntries });
  }

  async function onWant(m: Extract<PeerMessage, { type: 'want' }>): Promise<void> {
    if (m.wall !== me && m.wall !== peer) return shutdown('not_allowed', `@${peer} may only sync @${me} and @${peer}.`, true);
    const headSeq = (await replica.wallState(m.wall))?.seq ?? 0;
    const candidates = await replica.entriesAfter(m.wall, m.afterSeq, m.max);
    const entries: SealedEntry[] = [];
    let size = 64;
    for (const e of candidates) {
      const w = new ByteWriter();
      writeSealedEntry(w, e);
      size += w.finish().length;
      if (entries.length > 0 && size > FRAME_BUDGET) break;
      entries.push({ header: e.header, authorSig: e.authorSig, body: e.body, seq: e.seq, prev: e.prev, ownerSig: e.ownerSig });
    }
    send({ type: 'batch', wall: m.wall, headSeq, entries });
  }

  async function onBatch(m: Extract<PeerMessage, { type: 'batch' }>): Promise<void> {
    if (!wants.has(m.wall)) return shutdown('bad_message', `Unrequested batch for @${m.wall}.`, true);
    wants.delete(m.wall);
    const anchor = m.wall === me ? genesisKeyOf(identity) : peerGenesis!;
    let added: StoredEntry[] = [];
    if (m.entries.length > 0) {
      const plan = await planIngest(replica, m.wall, m.entries, anchor, deps.now);
      if (!plan.ok) return shutdown('invalid_batch', plan.reason, true);
      const committed = await replica.commit(plan.value);
      if (!committed.ok && committed.reason !== 'conflict') return shutdown('invalid_batch', committed.reason, true);
      if (committed.ok) added = plan.value.append;
    }
    if (added.length) emit({ type: 'wallUpdated', wall: m.wall, added });
    if (m.wall === peer) await clearDelivered();
    const held = (await replica.wallState(m.wall))?.seq ?? 0;
    if (held < m.headSeq && m.entries.length > 0) return requestAfterHead(m.wall);
    if (m.wall === me && (await replica.recovering()) && held >= m.headSeq) {
      await replica.setRecovering(false);
      emit({ type: 'recovered', seq: held });
      await announce(); // lets the friend resubmit what was deferred while restoring

    }
  }

  async function onSubmit(entries: SignedEntry[]): Promise<void> {
    // A corrupt submission is not what its author wrote: answering "rejected" for its id would
    // make the author drop the genuine entry, so the session ends as for any bad frame.
    if (entries.some((e) => !e.body || !bodyMatches(e.header, e.body) || !verifyAuthor(e))) {
      return shutdown('bad_message', 'A submitted entry does not match its signature.', true);
    }
    const results: SubmitResult[] = [];
    let accepted = false;
    const restoring = await replica.recovering();
    for (const entry of entries) {
      const id = entryIdBytes(entry.header);
      if (restoring) {
        results.push({ id, status: 'deferred', reason: `@${me} is restoring their wall` });
        continue;
      }
      const r = await acceptSubmission(replica, identity, peer, entry, deps.now);
      if (r.ok) accepted = true;
      results.push({ id, status: r.ok ? 'accepted' : 'rejected', reason: r.ok ? '' : truncateText(r.reason, LIMITS.reasonChars) });
    }
    send({ type: 'submitted', results });
    if (accepted) {
      emit({ type: 'wallUpdated', wall: me, added: [] });
      await announce();
    }
  }

  /**
   * "accepted" only ends the wait: an outbox entry is dropped once it is seen sealed in the
   * friend's wall (proof of delivery, see clearDelivered) or once the owner rejects it.
   */
  async function onSubmitted(results: SubmitResult[]): Promise<void> {
    const rejected: string[] = [];
    for (const r of results) {
      const id = toHex(r.id);
      if (!inFlight.delete(id) || r.status !== 'rejected') continue;
      rejected.push(id);
      emit({ type: 'undeliverable', wall: peer, id, reason: r.reason });
    }
    if (rejected.length) await replica.removeFromOutbox(peer, rejected);
  }

  async function clearDelivered(): Promise<void> {
    const delivered: string[] = [];
    for (const item of await replica.outbox(peer)) {
      if (await replica.entryById(peer, item.id)) delivered.push(item.id);
    }
    if (!delivered.length) return;
    await replica.removeFromOutbox(peer, delivered);
    for (const id of delivered) emit({ type: 'delivered', wall: peer, id });
  }

  async function flushOutbox(): Promise<void> {
    if (state !== 'ready') return;
    const items = (await replica.outbox(peer)).filter((i) => !inFlight.has(i.id));
    let batch: SignedEntry[] = [];
    let size = 64;
    const flush = () => {
      if (batch.length) send({ type: 'submit', entries: batch });
      batch = [];
      size = 64;
    };
    for (const item of items) {
      const w = new ByteWriter();
      writeSignedEntry(w, item.entry);
      const n = w.finish().length;
      if (batch.length >= LIMITS.submitEntries || (batch.length > 0 && size + n > FRAME_BUDGET)) flush();
      batch.push(item.entry);
      size += n;
      inFlight.add(item.id);
    }
    flush();
  }

  async function announce(): Promise<void> {
    if (state !== 'ready') return;
    send({ type: 'notify', wall: me, headSeq: (await replica.wallState(me))?.seq ?? 0 });
    await flushOutbox();
  }

  let started = false;
  function start(): void {
    if (started) return;
    started = true;
    send({ type: 'hello', versions: [...versions], handle: me, key: identity.publicKey, nonce: myNonce, rotations: identity.rotations });
  }

  async function handle(frame: Uint8Array): Promise<void> {
    if (state === 'closed') return;
    start(); // our hello must precede our auth even if the peer spoke first
    const decoded = decodeMessage(frame);
    if (!decoded.ok) {
      const offered = state === 'handshake' ? helloVersions(frame) : null;
      if (offered && negotiateVersion(versions, offered) === null) return unsupportedVersion(offered);
      return shutdown(frame.length > LIMITS.frameBytes ? 'too_large' : 'bad_message', decoded.reason, true);
    }
    const m = decoded.value;
    if (m.type === 'error') return shutdown(m.code, `@${peer} closed the connection: ${m.message}`, false);
    if (state === 'handshake') {
      if (m.type === 'hello' && !peerSide) return onHello(m);
      if (m.type === 'auth') return onAuth(m.signature);
      return shutdown('bad_message', `Unexpected ${m.type} during the handshake.`, true);
    }
    switch (m.type) {
      case 'want':
        return onWant(m);
      case 'batch':
        return onBatch(m);
      case 'notify':
        if (m.wall !== peer) return;
        if (m.headSeq > ((await replica.wallState(peer))?.seq ?? 0)) await requestAfterHead(peer);
        return flushOutbox();
      case 'submit':
        return onSubmit(m.entries);
      case 'submitted':
        return onSubmitted(m.results);
      default:
        return shutdown('bad_message', `Unexpected ${m.type} after the handshake.`, true);
    }
  }

  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch((e: unknown) => {
      shutdown(null, `Sync with @${peer} stopped: ${e instanceof Error ? e.message : 'storage failed'}.`, false);
    });
    return chain;
  };

  transport.onFrame((frame) => void enqueue(() => handle(frame)));
  transport.onClose(() => shutdown(null, `The connection to @${peer} closed.`, false));

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
      return state === 'closed' || (state === 'ready' && wants.size === 0 && inFlight.size === 0);
    },
    announce: () => enqueue(announce),
    close: () => shutdown(null, 'Closed.', false),
  };
}
