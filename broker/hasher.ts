import { Worker } from 'node:worker_threads';
import { ApiError } from './errors';
import { createFairQueue } from './fair-queue';

/**
 * Password hashing as the routes see it; tests inject their own to observe which hash is checked.
 * `client` is who the work is for (the client address), so one client cannot take the whole pool.
 */
export interface Hasher {
  hash(password: string, client: string): Promise<string>;
  verify(password: string, hash: string, client: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Thrown at once when every worker is busy and the queue is full and fairly shared. */
export class HasherBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Password hashing is at capacity.');
  }
}

/** Thrown when the client already has its share of the queue waiting (at once, or when a newcomer takes its place). */
export class HasherShareError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('This client has its share of password hashing waiting already.');
  }
}

/**
 * Runs hashing work for a route, never into an endless queue: a client over its share gets 429
 * `rate_limited`, a full pool 503 `busy`, both with Retry-After. `activity` names what the client
 * did too often, e.g. "sign-ins".
 */
export async function hashOrBusy<T>(work: () => Promise<T>, activity: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HasherShareError) {
      const wait = error.retryAfterSeconds;
      const message = `Too many ${activity} from your network at once. Try again in ${wait} second${wait === 1 ? '' : 's'}.`;
      throw new ApiError(429, 'rate_limited', message, wait);
    }
    if (error instanceof HasherBusyError) {
      throw new ApiError(503, 'busy', 'The broker is busy right now. Try again in a few seconds.', error.retryAfterSeconds);
    }
    throw error;
  }
}

type Job = { op: 'hash'; password: string; cost: number } | { op: 'verify'; password: string; hash: string };

interface Pending {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  current: (Pending & { id: number; startedAt: number }) | undefined;
}

export interface WorkerHasherOptions {
  cost: number;
  workers: number;
  /** Jobs that may wait for a free worker; beyond it, HasherBusyError. */
  queueLimit: number;
  /** Jobs one client may have waiting; beyond it, HasherShareError. Defaults to queueLimit. */
  queueLimitPerClient?: number;
}

const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

/** A bounded pool of bcrypt worker threads with a bounded queue in front of it, shared fairly between clients. */
export function createWorkerHasher(options: WorkerHasherOptions): Hasher {
  const queue = createFairQueue<Pending>({
    limit: options.queueLimit,
    perClient: options.queueLimitPerClient ?? options.queueLimit,
  });
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  let averageMs = 250;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL), current: undefined };
    slot.worker.on('message', (reply: { id: number; ok: boolean; result?: unknown; message?: string }) => {
      const current = slot.current;
      if (!current || current.id !== reply.id) return;
      slot.current = undefined;
      averageMs = averageMs * 0.8 + (performance.now() - current.startedAt) * 0.2;
      if (reply.ok) current.resolve(reply.result);
      else current.reject(new Error(reply.message ?? 'Hashing failed.'));
      drain();
    });
    slot.worker.on('error', (error) => {
      slot.current?.reject(error);
      slot.current = undefined;
    });
    slot.worker.on('exit', () => {
      slot.current?.reject(new Error('A hashing worker stopped.'));
      slot.current = undefined;
      const index = slots.indexOf(slot);
      if (index !== -1) slots.splice(index, 1);
      if (!closed) {
        slots.push(spawn());
        drain();
      }
    });
    return slot;
  }

  function start(slot: Slot, pending: Pending): void {
    const id = nextId++;
    slot.current = { ...pending, id, startedAt: performance.now() };
    slot.worker.postMessage({ id, ...pending.job });
  }

  function drain(): void {
    for (const slot of slots) {
      if (slot.current) continue;
      const next = queue.shift();
      if (!next) return;
      start(slot, next);
    }
  }

  /** Seconds until the queue as it is now has been worked through. */
  const retryAfter = () => Math.max(1, Math.ceil(((queue.size + 1) * averageMs) / slots.length / 1000));

  function run(job: Job, client: string): Promise<unknown> {
    if (closed) return Promise.reject(new Error('The hasher is closed.'));
    return new Promise((resolve, reject) => {
      // drain() keeps the queue empty while a worker is idle, so such a worker can start at once.
      const idle = slots.find((slot) => !slot.current);
      if (idle) return start(idle, { job, resolve, reject });
      const pushed = queue.push(client, { job, resolve, reject });
      if (!pushed.ok) {
        reject(pushed.reason === 'client' ? new HasherShareError(retryAfter()) : new HasherBusyError(retryAfter()));
        return;
      }
      pushed.evicted?.reject(new HasherShareError(retryAfter()));
      drain();
    });
  }

  for (let i = 0; i < options.workers; i++) slots.push(spawn());

  return {
    async hash(password, client) {
      const result = await run({ op: 'hash', password, cost: options.cost }, client);
      if (typeof result !== 'string') throw new Error('The hashing worker returned no hash.');
      return result;
    },
    async verify(password, hash, client) {
      return (await run({ op: 'verify', password, hash }, client)) === true;
    },
    async close() {
      closed = true;
      for (const pending of queue.clear()) pending.reject(new Error('The hasher is closed.'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
