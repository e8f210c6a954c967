import 'fake-indexeddb/auto';
import type { Identity } from '@/core/identity';
import { openContentDb, type ContentDb } from '@/platform/content-db';
import { PeerwallError } from '@/platform/errors';
import { parseServerFrame, type ClientFrame } from '@/core/signalling';
import { loadOrCreateIdentity } from '@/platform/social/identity-store';
import type { Verifier } from '@/core/verifier';
import { createSocialService, type SocialOptions, type SocialService } from '@/platform/social/social-service';
import type { SocialChange, SocialNotice } from '@/platform/social/social-views';
import { FakeLink } from './fake-peer';
import { createFakeTime, flush, type FakeTime } from './fake-time';

/** A data link with the SDP fingerprints a real RTCPeerConnection would have. */
export class SyncLink extends FakeLink {
  readonly label = 'pw-sync';
  /** False while the other side's SDP is not applied yet: no fingerprints, as `remoteDescription` is null. */
  remoteKnown = true;
  constructor(
    peer: string,
    private readonly local: string,
    private readonly remote: string,
  ) {
    super(peer);
  }
  fingerprints() {
    return this.remoteKnown ? { local: this.local, remote: this.remote } : null;
  }
  /** Loses what this end sends before it has received anything (Chromium, the answering end of a new channel). */
  losesEarlySends = false;
  private heard = false;
  override emit(event: string, arg?: unknown): void {
    if (event === 'data') this.heard = true;
    super.emit(event, arg);
  }
  override send(data: unknown): void {
    if (this.losesEarlySends && !this.heard) return void this.sent.push(data);
    super.send(data);
  }
}

let counter = 0;
let randomCounter = 0;
const randomBytes = (length: number): Uint8Array => {
  randomCounter += 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (randomCounter * 131 + i * 17 + Math.floor(Math.random() * 256)) & 0xff;
  return out;
};

export interface User {
  handle: string;
  db: ContentDb;
  identity: Identity;
  service: SocialService;
  notices: SocialNotice[];
  online: boolean;
  allow: { handles: string[]; blocked: string[] };
  changes: number;
  /** Every change notice, in order. */
  changeLog: SocialChange[];
  /** Everything this user sent to the broker. */
  sent: ClientFrame[];
}

/**
 * An in-memory broker and network for social services: relays with the broker's delivered /
 * queued / rejected answers and its in-memory queue, allowlist-gated signalling, mutual
 * presence, and data links that open only when the receiver allows the caller.
 */
export function createSocialNetwork(options: { time?: FakeTime; social?: Partial<SocialOptions>; verifier?: (handle: string) => Verifier } = {}) {
  const time = options.time ?? createFakeTime();
  const users = new Map<string, User>();
  const accounts = new Set<string>();
  const retired = new Set<string>();
  const queued = new Map<string, { src: string; payload: unknown }[]>();
  const shownPresence = new Map<string, boolean>();
  /** Simulates ICE failure between two handles (signalling works, no connection). */
  const iceBlocked = new Set<string>();
  /** Users whose browser refuses to make another peer connection. */
  const connectionsFull = new Set<string>();
  /** Simulates the signalling path losing every ICE candidate between two handles: ICE never starts. */
  const candidatesLost = new Set<string>();
  /** Offers the broker loses, by `caller>receiver` (e.g. it restarted mid-handshake): how many more to lose. */
  const lostOffers = new Map<string, number>();
  /**
   * Dials, by `caller>receiver`, whose data channel opens at the caller before its ANSWER is applied (Chromium
   * under load): the caller's link has no remote SDP yet at `open`, and gets it a moment later.
   */
  const lateAnswers = new Set<string>();
  /** Dials, by `caller>receiver`, whose receiving end loses what it sends before the caller's first frame arrives. */
  const earlyAnswersLost = new Set<string>();
  /** Stands in for a receiver's peer host: gets the incoming end instead of the receiver's service. */
  const intercepts = new Map<string, (link: SyncLink) => void>();
  const links: SyncLink[] = [];
  /** When set, the broker refuses every relay for now with this reason (e.g. `queue_full`). */
  const relayRefusal: { reason: string | null } = { reason: null };
  /** How long an ANSWER takes to come back through the broker. */
  const signalling = { delayMs: 0 };

  /** What the peer host does with a broker frame: parse it, and hand the social layer what it understands. */
  const fromBroker = (to: User, message: unknown): void => {
    const frame = parseServerFrame(message);
    if (frame) to.service.serverFrame(frame);
  };
  const deliver = (to: User, message: unknown) => queueMicrotask(() => fromBroker(to, message));

  function updatePresence(): void {
    for (const viewer of users.values()) {
      const online: string[] = [];
      const offline: string[] = [];
      for (const other of users.values()) {
        if (other === viewer) continue;
        const visible =
          viewer.online && other.online && viewer.allow.handles.includes(other.handle) && other.allow.handles.includes(viewer.handle);
        const key = `${viewer.handle}>${other.handle}`;
        if ((shownPresence.get(key) ?? false) !== visible) (visible ? online : offline).push(other.handle);
        shownPresence.set(key, visible);
      }
      if (viewer.online && (online.length || offline.length)) deliver(viewer, { type: 'PW_PRESENCE', payload: { online, offline } });
    }
  }

  function brokerReceive(from: User, frame: ClientFrame): void {
    from.sent.push(frame);
    if (!from.online) return;
    if (frame.type === 'PW_ALLOW') {
      from.allow = structuredClone(frame.payload);
      updatePresence();
      return;
    }
    if (frame.type !== 'PW_RELAY') return;
    const { id } = frame.payload;
    const status = (s: string, reason?: string) =>
      deliver(from, { type: 'PW_RELAY_STATUS', payload: { id, dst: frame.dst, status: s, ...(reason ? { reason } : {}) } });
    const dst = frame.dst ?? '';
    const to = users.get(dst);
    if (!accounts.has(dst) || retired.has(dst)) return status('rejected', 'unknown_handle');
    if (relayRefusal.reason) return status('rejected', relayRefusal.reason);
    const message = { type: 'PW_RELAY', src: from.handle, payload: frame.payload };
    const blocked = to?.allow.blocked.includes(from.handle) ?? false;
    // Like the broker: "delivered" only to a sender the receiver lists, "accepted" to anyone else.
    if (to?.online && !blocked && to.allow.handles.includes(from.handle)) {
      deliver(to, message);
      return status('delivered');
    }
    if (to?.online && !blocked) deliver(to, message);
    else if (!to?.online) queued.set(dst, [...(queued.get(dst) ?? []), { src: from.handle, payload: frame.payload }]);
    status('accepted');
  }

  /** The user's social service over its database, as its peer host creates it on each start. */
  function createService(user: User, handle: string, db: ContentDb, identity: Identity): SocialService {
    const service = createSocialService({
      db,
      identity,
      now: time.now,
      randomBytes,
      verifier: options.verifier?.(handle),
      timers: time.timers,
      onChange: (change) => {
        user.changes += 1;
        user.changeLog.push(change);
      },
      notify: (notice) => user.notices.push(notice),
      options: options.social,
      access: {
        isOnline: () => user.online,
        sendToBroker: (frame) => brokerReceive(user, frame),
        allowlistChanged: () => brokerReceive(user, { type: 'PW_ALLOW', payload: service.allowlist() }),
        lookupHandle: async (target) => {
          if (retired.has(target)) {
            throw new PeerwallError('handle_retired', `@${target} deleted their account; the handle stays retired.`, 410);
          }
          if (!accounts.has(target)) throw new PeerwallError('unknown_handle', `Nobody has the handle @${target}.`, 404);
        },
        connect: (target) => {
          if (!user.online) throw new PeerwallError('offline', 'You are offline.');
          // As Chromium's RTCPeerConnection constructor throws past 500 per renderer.
          if (connectionsFull.has(handle)) throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
          const mine = new SyncLink(target, `fp-${handle}`, `fp-${target}`);
          const theirs = new SyncLink(handle, `fp-${target}`, `fp-${handle}`);
          mine.partner = theirs;
          theirs.partner = mine;
          links.push(mine, theirs);
          const to = users.get(target);
          const route = `${handle}>${target}`;
          const lost = (lostOffers.get(route) ?? 0) > 0;
          if (lost) lostOffers.set(route, lostOffers.get(route)! - 1);
          // The broker forwards the offer only if the receiver allows the caller.
          if (!lost && to?.online && to.allow.handles.includes(handle)) {
            queueMicrotask(() => {
              const intercept = intercepts.get(target);
              if (intercept) intercept(theirs);
              else to.service.incoming(theirs);
              // A receiver that closes the connection at once sends no ANSWER (as PeerJS does).
              if (theirs.closed) return;
              if (signalling.delayMs > 0) time.timers.setTimeout(() => answered(), signalling.delayMs);
              else answered();
            });
          }
          theirs.losesEarlySends = earlyAnswersLost.has(route);
          const late = lateAnswers.has(route);
          if (late) mine.remoteKnown = false;
          function answerApplied(): void {
            mine.remoteKnown = true;
            mine.emit('state', { layer: 'signaling', state: 'stable' });
          }
          function answered(): void {
            if (mine.closed || theirs.closed) return;
            if (!late) answerApplied();
            if (candidatesLost.has([handle, target].sort().join('+'))) return; // ICE stays `new`
            const ice = iceBlocked.has([handle, target].sort().join('+')) ? 'checking' : 'connected';
            mine.emit('state', { layer: 'ice', state: ice });
            theirs.emit('state', { layer: 'ice', state: ice });
            if (ice !== 'connected') return;
            queueMicrotask(() => {
              if (!mine.closed && !theirs.closed) {
                mine.emit('open');
                theirs.emit('open');
                // After the receiver's first frames have arrived.
                if (late) time.timers.setTimeout(answerApplied, 5);
              }
            });
          }
          return mine;
        },
      },
    });
    return service;
  }

  /**
   * A user with a new database, or `existing` (e.g. one a backup was restored into) as a fresh install's.
   * `signedIn`: the account existed and this browser signs in to it (a key made now offers Recover from friends).
   */
  async function addUser(handle: string, existing?: ContentDb, options: { signedIn?: boolean } = {}): Promise<User> {
    accounts.add(handle);
    const db = existing ?? (await openContentDb(`social-${handle}-${++counter}-${Math.random()}`));
    const identity = await loadOrCreateIdentity(db, handle, randomBytes, time.now, options);
    const user = {} as User;
    const service = createService(user, handle, db, identity);
    Object.assign(user, { handle, db, identity, service, notices: [], online: false, allow: { handles: [], blocked: [] }, changes: 0, changeLog: [], sent: [] });
    await service.start();
    users.set(handle, user);
    return user;
  }

  /** The user's peer host starts again over the same database (what it loads is what storage holds). */
  async function restart(user: User): Promise<void> {
    user.service.stop();
    user.service = createService(user, user.handle, user.db, user.identity);
    await user.service.start();
    if (user.online) {
      brokerReceive(user, { type: 'PW_ALLOW', payload: user.service.allowlist() });
      user.service.online();
    }
    await settle();
  }

  /** The peer host's `open`: the allowlist goes out first, then queued relays, then the service resends. */
  async function goOnline(user: User): Promise<void> {
    user.online = true;
    for (const { src, payload } of queued.get(user.handle) ?? []) deliver(user, { type: 'PW_RELAY', src, payload });
    queued.delete(user.handle);
    brokerReceive(user, { type: 'PW_ALLOW', payload: user.service.allowlist() });
    user.service.online();
    await settle();
  }

  async function goOffline(user: User): Promise<void> {
    user.online = false;
    for (const link of links) if (!link.closed && (link.peer === user.handle || link.partner?.peer === user.handle)) link.close();
    user.service.offline();
    updatePresence();
    await settle();
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await flush();
  }

  /** Befriends two online users through the real request / accept flow. */
  async function befriend(a: User, b: User): Promise<void> {
    await a.service.addFriend(b.handle);
    await settle();
    await b.service.answerRequest(a.handle, true);
    await settle();
  }

  return {
    time,
    users,
    accounts,
    retired,
    queued,
    iceBlocked,
    connectionsFull,
    candidatesLost,
    lostOffers,
    lateAnswers,
    earlyAnswersLost,
    relayRefusal,
    intercepts,
    signalling,
    links,
    /** One end of a link dies unseen by the other (its browser lost the path); the other stays open. */
    sever(end: SyncLink): void {
      const other = end.partner;
      end.partner = null;
      if (other) other.partner = null;
      end.close();
    },
    addUser,
    restart,
    fromBroker,
    goOnline,
    goOffline,
    settle,
    befriend,
    /** The broker restarts: its in-memory relay queue is gone. */
    restartBroker: () => queued.clear(),
  };
}
