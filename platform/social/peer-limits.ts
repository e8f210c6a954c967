import { createPeerBudget, type LinkLimits, type PeerBudget } from './link-transport';

/**
 * What each friend may still send and whether it is refused for a while after sending invalid
 * data or exceeding its limits. Per friend, not per connection: reconnecting resets neither.
 */
export function createPeerLimits(now: () => number, penaltyMs: number, linkLimits: LinkLimits) {
  const penalties = new Map<string, { until: number; reason: string }>();
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
      penalties.set(handle, { until: now() + penaltyMs, reason });
    },
    penalised(handle: string): boolean {
      const penalty = penalties.get(handle);
      return !!penalty && penalty.until > now();
    },
    /** A sentence about why a friend is refused for now, or null. */
    sentence(handle: string): string | null {
      const penalty = penalties.get(handle);
      return penalty && penalty.until > now() ? `Paused: ${penalty.reason}` : null;
    },
    /** Unfriended or blocked: a later friendship starts with a fresh budget. */
    forget(handle: string): void {
      budgets.delete(handle);
    },
  };
}
