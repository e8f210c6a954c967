import { ALLOW_BURST } from './peer';

/** A handle's allowlist budget: tokens it may still spend now, refilled one every ALLOW_EVERY_MS. */
export interface AllowBudget {
  tokens: number;
  refilledAt: number;
}

/**
 * Allowlist budgets per handle on this node, kept across reconnects: a fresh socket must not bring a
 * fresh budget, or reconnecting would make allowlist changes free. Bounded: past `maxHandles` the
 * least recently used budget is forgotten; one unused for ALLOW_BURST × ALLOW_EVERY_MS is full anyway.
 */
export function createAllowBudgets(maxHandles: number) {
  const budgets = new Map<string, AllowBudget>();
  return {
    /** The budget of `handle`, a full one if it has none here. */
    of(handle: string, now: number): AllowBudget {
      const budget = budgets.get(handle) ?? { tokens: ALLOW_BURST, refilledAt: now };
      budgets.delete(handle);
      budgets.set(handle, budget);
      if (budgets.size > maxHandles) {
        const stalest = budgets.keys().next();
        if (!stalest.done) budgets.delete(stalest.value);
      }
      return budget;
    },
  };
}

export type AllowBudgets = ReturnType<typeof createAllowBudgets>;
