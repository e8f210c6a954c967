import type { WallWrite } from '@/core/replica';
import type { FaultPoint, ReplicaFaults } from './replica-faults';

/**
 * A crash to make while a wall is pulled: at `point` of the `batch`-th pulled batch of `wall` stored
 * after the plan is set (1-based), either `throw` (the write fails there; inside the transaction it
 * aborts) or `freeze` (the write never goes on: the test then kills the process).
 */
export type FaultPlan = { wall: string; batch: number; point: FaultPoint; action: 'throw' | 'freeze' };

/** A fault that struck: its plan and the last sequence number of the batch it struck. */
export type StruckFault = FaultPlan & { seq: number };

/** Thrown by a fault with the `throw` action. */
export class InjectedFault extends Error {
  constructor(readonly struck: StruckFault) {
    super(`test fault at ${struck.point} of batch ${struck.batch} of @${struck.wall}`);
    this.name = 'InjectedFault';
  }
}

const POINTS: readonly string[] = ['beforeStore', 'inTransaction', 'afterStore'] satisfies FaultPoint[];

/** The plan in `value`, or null when it is not one. */
export function parseFaultPlan(value: unknown): FaultPlan | null {
  if (typeof value !== 'object' || value === null) return null;
  const { wall, batch, point, action } = value as Record<string, unknown>;
  if (typeof wall !== 'string' || !Number.isInteger(batch) || (batch as number) < 1) return null;
  if (typeof point !== 'string' || !POINTS.includes(point) || (action !== 'throw' && action !== 'freeze')) return null;
  return { wall, batch: batch as number, point: point as FaultPoint, action };
}

/**
 * The test-only fault switch (docs/protocol.md §7.3, issue 13): reads its plan from `plan()` at each pulled
 * batch, counts that wall's pulled batches from when the plan appeared, and strikes once — the plan is
 * spent, as a crash is. Only writes of pulled batches (`refetchable`) count; one's own never do.
 */
export function createFaultSwitch(plan: () => unknown, onStrike: (struck: StruckFault) => void = () => undefined): ReplicaFaults {
  let armed: { source: unknown; plan: FaultPlan; seen: number } | null = null;
  let spent = false;
  /** The batch number of each pulled write of the planned wall, while it is being stored. */
  const numbers = new WeakMap<WallWrite, number>();

  function strikes(point: FaultPoint, write: WallWrite): StruckFault | null {
    const n = numbers.get(write);
    if (spent || !armed || n === undefined || armed.plan.point !== point || armed.plan.batch !== n) return null;
    spent = true;
    const struck = { ...armed.plan, seq: write.state.seq };
    onStrike(struck);
    return struck;
  }

  function strike(point: FaultPoint, write: WallWrite): Promise<void> {
    const struck = strikes(point, write);
    if (!struck) return Promise.resolve();
    return struck.action === 'throw' ? Promise.reject(new InjectedFault(struck)) : new Promise<void>(() => undefined);
  }

  return {
    around(point, write) {
      if (point === 'beforeStore' && !spent && write.refetchable) {
        const source = plan();
        if (source !== armed?.source) {
          const parsed = parseFaultPlan(source);
          armed = parsed ? { source, plan: parsed, seen: 0 } : null;
        }
        if (armed && write.wall === armed.plan.wall) numbers.set(write, (armed.seen += 1));
      }
      return strike(point, write);
    },
    inside(write) {
      const struck = strikes('inTransaction', write);
      // Only a throw: a transaction left waiting on anything but its own requests commits by itself.
      if (struck) throw new InjectedFault(struck);
    },
  };
}

/** The global a test sets (through DevTools) in the document that runs the peer host, and the one it reads back. */
export const FAULT_PLAN_GLOBAL = 'peerwallFaultPlan';
export const FAULT_STRUCK_GLOBAL = 'peerwallFaultStruck';

/** The switch of a test build (`npm run build:faults`): its plan is whatever a test put in `globalThis[FAULT_PLAN_GLOBAL]`. */
export function pageFaultSwitch(): ReplicaFaults {
  const page = globalThis as unknown as Record<string, unknown>;
  return createFaultSwitch(
    () => page[FAULT_PLAN_GLOBAL],
    (struck) => {
      page[FAULT_STRUCK_GLOBAL] = struck;
      console.warn(`[peerwall] Test fault: ${struck.action} at ${struck.point} of batch ${struck.batch} of @${struck.wall} (up to seq ${struck.seq}).`);
    },
  );
}
