import { createPeerBudget, type LinkLimits, type PeerBudget } from './link-transport';

/**
 * What each friend may still send and whether it is refused for a while after sending invalid
 * data or exceeding its limits. Per friend, not per connection: reconnecting resets neither.
 * A pause lasts `penaltyMs`, or until the friend's peer leaves the broker and comes back (a
 * restarted Peerwall, perhaps updated, deserves a fresh start).
 */
export function createPeerLimits(now: () => number, penaltyMs: number, linkLimits: LinkLimits) {
  const penalties = new Map<string, { until: number; reason: string; left: boolean }>();
  const budgets = new Map<string, PeerBudget>();
  return {
    budgetOf(handle: string): PeerBudget {
      let budget = budgets.get(handle);
      if (!budget) {
        budget = createPeerBudget(handle, now, linkLimits);
        budgets.set(handle, budget);
      }
      return budget;
    },
    penalise(handle: string, reason: string): void {
      const sentence = /[.!?]$/.test(reason) ? reason : `${reason}.`;
      penalties.set(handle, { until: now() + penaltyMs, reason: sentence, left: false });
    },
    /** The broker reports the friend offline: its next session ends the pause. */
    left(handle: string): void {
      const penalty = penalties.get(handle);
      if (penalty) penalty.left = true;
    },
    /** The broker reports the friend online; true when that ended a pause. */
    returned(handle: string): boolean {
      const penalty = penalties.get(handle);
      if (!penalty?.left) return false;
      penalties.delete(handle);
      return penalty.until > now();
    },
    penalised(handle: string): boolean {
      const penalty = penalties.get(handle);
      return !!penalty && penalty.until > now();
    },
    /** A sentence about why a friend is refused for now, or null. */
    sentence(handle: string): string | null {
      const penalty = penalties.get(handle);
      if (!penalty || penalty.until <= now()) return null;
      const minutes = Math.max(1, Math.ceil((penalty.until - now()) / 60_000));
      return `Paused: ${penalty.reason} Peerwall syncs with @${handle} again when their Peerwall restarts, or in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`;
    },
    /** Unfriended or blocked: a later friendship starts with a fresh budget. */
    forget(handle: string): void {
      budgets.delete(handle);
      penalties.delete(handle);
    },
  };
}
