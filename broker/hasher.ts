import { Worker } from 'node:worker_threads';
import { ApiError } from './errors';

/** Password hashing as the routes see it; tests inject their own to observe which hash is checked. */
export interface Hasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Thrown at once when every worker is busy and the queue is full. */
export class HasherBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Password hashing is at capacity.');
  }
}

/** Runs hashing work for a route; a full pool becomes a 503 with Retry-After, never an endless queue. */
export async function hashOrBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
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
}

const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

/** A bounded pool of bcrypt worker threads with a bounded queue in front of it. */
export function createWorkerHasher(options: WorkerHasherOptions): Hasher {
  const queue: Pending[] = [];
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

  function drain(): void {
    for (const slot of slots) {
      if (slot.current) continue;
      const next = queue.shift();
      if (!next) return;
      const id = nextId++;
      slot.current = { ...next, id, startedAt: performance.now() };
      slot.worker.postMessage({ id, ...next.job });
    }
  }

  function run(job: Job): Promise<unknown> {
    if (closed) return Promise.reject(new Error('The hasher is closed.'));
    const idle = slots.some((slot) => !slot.current);
    if (!idle && queue.length >= options.queueLimit) {
      const waitMs = ((queue.length + 1) * averageMs) / slots.length;
      return Promise.reject(new HasherBusyError(Math.max(1, Math.ceil(waitMs / 1000))));
    }
    return new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      drain();
    });
  }

  for (let i = 0; i < options.workers; i++) slots.push(spawn());

  return {
    async hash(password) {
      const result = await run({ op: 'hash', password, cost: options.cost });
      if (typeof result !== 'string') throw new Error('The hashing worker returned no hash.');
      return result;
    },
    async verify(password, hash) {
      return (await run({ op: 'verify', password, hash })) === true;
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('The hasher is closed.'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
