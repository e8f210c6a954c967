/** How many OFFER / ANSWER keys are remembered; older ones are forgotten first. */
const REMEMBERED = 512;

/**
 * Recognises an OFFER or ANSWER the signalling path delivered twice (a retransmitting proxy or
 * load balancer). PeerJS answers a second OFFER of one connection by tearing down the
 * connection it is setting up, and fails on a second ANSWER; one connection id carries exactly
 * one of each, so a repeat is dropped before PeerJS sees it. Everything else passes.
 */
export function createSignalDedupe(remembered = REMEMBERED): (message: unknown) => boolean {
  const seen = new Set<string>();
  return (message) => {
    const { type, src, payload } = (message ?? {}) as { type?: unknown; src?: unknown; payload?: { connectionId?: unknown } };
    if ((type !== 'OFFER' && type !== 'ANSWER') || typeof src !== 'string') return false;
    const connectionId = payload?.connectionId;
    if (typeof connectionId !== 'string') return false;
    const key = `${type}\n${src}\n${connectionId}`;
    if (seen.has(key)) return true;
    seen.add(key);
    if (seen.size > remembered) seen.delete(seen.values().next().value!);
    return false;
  };
}
