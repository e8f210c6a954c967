import type { WallWrite } from '@/core/replica';

/**
 * Where a crash can strike while the replica stores a write: before its transaction opens, inside it
 * (every request queued, not yet committed — a throw there aborts it) and after it committed.
 */
export type FaultPoint = 'beforeStore' | 'inTransaction' | 'afterStore';

/**
 * A test's way into the replica's writes (./fault-switch.ts); the product never passes one
 * (createIdbReplica's second argument).
 */
export interface ReplicaFaults {
  /** Resolves to let the write go on, rejects to fail it there, or never settles to freeze it (the process is then killed). */
  around(point: 'beforeStore' | 'afterStore', write: WallWrite): Promise<void>;
  /** Returns to let the transaction commit, throws to abort it. Synchronous: awaiting anything else would let it commit on its own. */
  inside(write: WallWrite): void;
}
