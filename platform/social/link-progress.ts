import type { DataLink, LinkStateChange } from '../ports';

/** What a connection that never became ready failed at, as far as this side can tell. */
export type LinkFailure =
  | { kind: 'no_answer' }
  | { kind: 'no_candidates' }
  | { kind: 'ice_failed' }
  | { kind: 'dtls_failed' }
  | { kind: 'no_handshake' }
  | { kind: 'closed' }
  /** The browser refused to make another peer connection (Chromium allows 500 per renderer). */
  | { kind: 'no_room'; reason: string }
  | { kind: 'refused'; code: string; reason: string; lasting: boolean };

/** Handshake refusals a retry cannot fix: another key, another protocol version, another peer, a forged binding. */
const LASTING_REFUSALS = new Set(['key_changed', 'unsupported_version', 'wrong_peer', 'bad_auth']);

/**
 * A session closed with `code`: a refusal that lasts when it ended a working connection (the friend's Peerwall
 * paused us, or we it) or when no retry can fix it; one during the handshake otherwise (e.g. `not_friends`
 * while the friend stores the friendship) passes with the next attempt.
 */
export function refusal(code: string, reason: string, afterHandshake: boolean): LinkFailure {
  return { kind: 'refused', code, reason, lasting: afterHandshake || LASTING_REFUSALS.has(code) };
}

/**
 * Failures that say something about the path or the friend: ICE or DTLS failed, or the friend's
 * Peerwall refused us for a lasting reason. They replace an earlier refusal as the reason shown;
 * others (an offer the broker lost, a close during set-up) do not.
 */
export function isLasting(failure: LinkFailure): boolean {
  if (failure.kind === 'refused') return failure.lasting;
  return failure.kind === 'ice_failed' || failure.kind === 'dtls_failed';
}

/** The sentence the friend list shows under "Can't connect". */
export function failureSentence(handle: string, failure: LinkFailure): string {
  switch (failure.kind) {
    case 'no_answer':
      return `@${handle}’s Peerwall did not answer the request to connect. Peerwall keeps trying.`;
    case 'no_candidates':
      return `@${handle}’s Peerwall answered, but none of the network addresses to connect through arrived. Peerwall keeps trying.`;
    case 'ice_failed':
      return `The broker sees @${handle} online, but no direct connection could be made (a strict firewall or NAT without a relay server). Peerwall keeps trying.`;
    case 'dtls_failed':
      return `A network path to @${handle} was found, but the encrypted connection could not be set up. Peerwall keeps trying.`;
    case 'no_handshake':
      return `A connection to @${handle} opened, but their Peerwall did not finish the handshake. Peerwall keeps trying.`;
    case 'closed':
      return `The connection to @${handle} closed while it was being set up. Peerwall keeps trying.`;
    case 'no_room':
      return `This browser would not open another connection, to @${handle} (${failure.reason}). Peerwall keeps trying.`;
    case 'refused':
      return `${failure.reason} (${failure.code})`;
  }
}

/** How far one link got: whether its offer was answered, its ICE state, whether it opened. */
export interface LinkProgress {
  readonly answered: boolean;
  /** What a dial that ran out of time failed at. */
  timedOut(): LinkFailure;
  /** `no_candidates` when the offer was answered but ICE never started checking (no candidate arrived), else null. */
  stalled(): LinkFailure | null;
  /** What a link that closed before it was ready failed at (PeerJS closes it when ICE fails). */
  closedEarly(): LinkFailure;
}

/**
 * Follows a link's WebRTC states (signalling, ICE, DTLS) for the connection log and the
 * failure reason; `onFailed` fires when ICE or DTLS reports failure.
 */
export function watchLinkProgress(
  link: DataLink,
  outgoing: boolean,
  onState: (change: LinkStateChange) => void,
  onFailed: (failure: LinkFailure) => void,
): LinkProgress {
  let answered = !outgoing; // the receiving side answers the offer itself
  let iceConnected = false;
  let open = false;
  let negotiationFailed = false;
  let iceChecked = false;
  link.on('state', (change) => {
    onState(change);
    if (change.layer === 'signaling' && change.state === 'stable') answered = true;
    if (change.layer === 'ice' && change.state === 'checking') iceChecked = true;
    if (change.layer === 'ice' && (change.state === 'connected' || change.state === 'completed')) iceConnected = true;
    if (change.layer === 'ice' && change.state === 'failed') onFailed({ kind: 'ice_failed' });
    if (change.layer === 'connection' && change.state === 'failed') onFailed(iceConnected ? { kind: 'dtls_failed' } : { kind: 'ice_failed' });
  });
  link.on('open', () => {
    open = true;
    answered = true;
  });
  // PeerJS reports ICE failure as a `negotiation-failed` error on the connection, then closes it.
  link.on('error', (error) => (negotiationFailed ||= error.type === 'negotiation-failed'));
  const stuckAt = (): LinkFailure => {
    if (open) return { kind: 'no_handshake' };
    if (!answered) return { kind: 'no_answer' };
    return iceConnected ? { kind: 'dtls_failed' } : { kind: 'ice_failed' };
  };
  return {
    get answered() {
      return answered;
    },
    timedOut: stuckAt,
    stalled: () => (answered && !iceChecked && !iceConnected && !open ? { kind: 'no_candidates' } : null),
    closedEarly(): LinkFailure {
      // Checks that never connected before the friend gave up are ICE failing, seen from this side.
      if (negotiationFailed || (iceChecked && !iceConnected && !open)) return { kind: 'ice_failed' };
      return open ? { kind: 'no_handshake' } : { kind: 'closed' };
    },
  };
}

export interface AttemptTimeouts {
  /** An offer still unanswered by then was lost on the way (a broker restart) or refused; grows per failure in a row. */
  answerTimeoutMs: number;
  /** A connection that has not finished the handshake by then failed. */
  dialTimeoutMs: number;
  /** ICE still not checking this long after the answer's deadline: no candidate arrived, so the attempt failed. */
  iceStartMs: number;
}

/** A moment of an attempt at which, if it is not ready yet, `check` says whether and why it failed. */
export interface AttemptDeadline {
  atMs: number;
  check(progress: LinkProgress): LinkFailure | null;
}

/** When an attempt that is not ready yet has failed, given the failures in a row before it. */
export function attemptDeadlines(timeouts: AttemptTimeouts, outgoing: boolean, failuresInRow: number): AttemptDeadline[] {
  // A slow signalling path (answers taking seconds) must not fail every attempt: each failure in a row
  // gives the next ANSWER longer, up to the whole dial's time.
  const patience = Math.min(timeouts.dialTimeoutMs, timeouts.answerTimeoutMs * (1 + failuresInRow));
  return [
    { atMs: timeouts.dialTimeoutMs, check: (progress) => progress.timedOut() },
    ...(outgoing ? [{ atMs: patience, check: (progress: LinkProgress): LinkFailure | null => (progress.answered ? null : { kind: 'no_answer' }) }] : []),
    // Candidates trickle through the broker right behind the offer and answer: if none has arrived a few
    // seconds after them, ICE cannot even start checking, so waiting out the whole dial is pointless.
    { atMs: patience + timeouts.iceStartMs, check: (progress) => progress.stalled() },
  ];
}
