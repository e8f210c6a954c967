import type { Identity, RandomBytes } from '@/core/identity';
import type { OwnRecovery } from '@/core/ownRecovery';
import type { Replica } from '@/core/replica';
import type { MediaDeps } from '@/core/syncMedia';
import type { RelayDeps } from '@/core/syncRelay';
import type { ForkDeps } from '@/core/syncForks';
import { createSyncSession, type SyncEvent, type SyncSession } from '@/core/syncSession';
import type { Verifier } from '@/core/verifier';
import type { DataLink } from '../ports';
import type { Timers } from '../timers';
import { createLinkTransport, type LinkLimits, type PeerBudget } from './link-transport';

export interface SyncLinkDeps {
  replica: Replica;
  identity: Identity;
  now(): number;
  randomBytes: RandomBytes;
  /** Relaying (protocol version 2): this side's pass store and the pull registry all its sessions share. */
  relay: RelayDeps;
  /** Photos (protocol version 4): this side's file store, shared by all sessions; without it the link offers version 3. */
  media?: MediaDeps;
  /** Checks the friend's signatures; one for all sessions, so its imported keys are shared. */
  verifier: Verifier;
  /** The recovery of one's own wall from friends going on now (docs/protocol.md §8), if any. */
  ownRecovery?: () => OwnRecovery | undefined;
  /** Repairing and following forks of walls (§8 Forks), shared by all sessions. */
  forks?: ForkDeps;
  timers: Timers;
  /** Close a sync connection after this long without frames. */
  idleMs: number;
  linkLimits: LinkLimits;
  /** What the friend may still send, shared by all its connections. */
  budget: PeerBudget;
  /** Every event of the core session. */
  onEvent(event: SyncEvent): void;
  /** The link ended: `violation` says why when this side cut it for exceeding limits; `idle` when it went quiet. */
  onClosed(cause: { violation: string | null; idle: boolean }): void;
}

export interface SyncLink {
  readonly link: DataLink;
  readonly outgoing: boolean;
  readonly state: 'connecting' | 'ready' | 'closed';
  readonly session: SyncSession | null;
  /** Why this side cut the link for exceeding its limits, or null. */
  readonly violation: string | null;
  /** Milliseconds since the last frame either way (or since the link was made). */
  quietMs(): number;
  markReady(): void;
  close(): void;
}

/**
 * One data connection to a friend with its core sync session (made once the link is open and both
 * SDPs are known, bound to both DTLS fingerprints), its per-peer limits and its idle timer.
 */
export function openSyncLink(handle: string, link: DataLink, outgoing: boolean, deps: SyncLinkDeps): SyncLink {
  const { timers } = deps;
  let state: SyncLink['state'] = 'connecting';
  let session: SyncSession | null = null;
  let idleTimer: unknown = null;
  let lastFrameAt = deps.now();
  let idle = false;
  let patience = 1;
  const transport = createLinkTransport(link, deps.now, deps.linkLimits, deps.budget);

  function close(): void {
    if (state === 'closed') return;
    state = 'closed';
    timers.clearTimeout(idleTimer);
    session?.close();
    link.close();
    deps.onClosed({ violation: transport.violation, idle });
  }

  function touch(): void {
    lastFrameAt = deps.now();
    patience = 1;
    arm();
  }

  function arm(): void {
    timers.clearTimeout(idleTimer);
    idleTimer = timers.setTimeout(() => {
      // A request of ours still unanswered earns one more quiet period; a friend silent past that is
      // stuck, and holding the link would hold back walls other friends could bring (§7.5).
      if (session?.settled() === false && patience-- > 0) return arm();
      idle = true;
      close();
    }, deps.idleMs);
  }

  // The friend's last frames (e.g. its `error` saying why it closed) are handled before the close.
  transport.onClose(() => (session ? void session.idle().then(close) : close()));
  let opened = false;
  /** Makes the session once the channel is open and both SDPs, with their fingerprints, are known. */
  function begin(): void {
    // One session per link: a second `open` would start a second handshake on the same channel.
    if (!opened || state === 'closed' || session) return;
    const fingerprints = link.fingerprints?.() ?? null;
    // Without the DTLS fingerprints the handshake cannot bind to this connection (§7.2). Chromium can fire the
    // channel's `open` before the task that ends setRemoteDescription (the dialler's ANSWER) has run: the remote
    // SDP comes with the next signalling state, and the friend's first frames wait in the transport till then.
    // A link that never gets both is failed by its dial's deadline.
    if (!fingerprints) return link.fingerprints ? undefined : close();
    session = createSyncSession({
      replica: deps.replica,
      identity: deps.identity,
      peer: handle,
      transport: {
        send(frame) {
          touch();
          transport.send(frame);
        },
        onFrame(handler) {
          transport.onFrame((frame) => {
            touch();
            handler(frame);
          });
        },
        onClose: (handler) => transport.onClose(handler),
        close: () => transport.close(),
        drained: () => transport.drained?.() ?? Promise.resolve(),
        solicit: (frames) => transport.solicit(frames),
      },
      localFingerprint: fingerprints.local,
      remoteFingerprint: fingerprints.remote,
      randomBytes: deps.randomBytes,
      now: deps.now,
      relay: deps.relay,
      ...(deps.media ? { media: deps.media } : {}),
      verifier: deps.verifier,
      ...(deps.ownRecovery?.() ? { ownRecovery: deps.ownRecovery()! } : {}),
      ...(deps.forks ? { forks: deps.forks } : {}),
      onEvent: deps.onEvent,
    });
    touch();
    // The dialler speaks first; the answerer's `hello` goes out with its answer to the dialler's first frame
    // (§7.2). Chromium can lose what the answerer sends the instant its end opens: the dialler then saw an
    // `auth` without the `hello` before it (scenario 18, about one run in three).
    if (outgoing) session.start();
  }
  link.on('open', () => {
    opened = true;
    begin();
  });
  link.on('state', begin);

  return {
    link,
    outgoing,
    get state() {
      return state;
    },
    get session() {
      return session;
    },
    get violation() {
      return transport.violation;
    },
    quietMs: () => deps.now() - lastFrameAt,
    markReady(): void {
      if (state === 'connecting') state = 'ready';
    },
    close,
  };
}
