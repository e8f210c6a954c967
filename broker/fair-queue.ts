/**
 * Jobs waiting for a hashing worker, taken round-robin across clients, so a client with many
 * jobs waiting delays another client by one job per turn, not by all of its jobs (#17).
 * Bounded per client and in total; when it is full, a newcomer takes the newest place of the
 * client holding the most, as long as that client would still hold more than the newcomer.
 */
export interface FairQueue<T> {
  readonly size: number;
  push(client: string, job: T): PushResult<T>;
  /** The next job: the first of the client whose turn it is. */
  shift(): T | undefined;
  /** Empties the queue and returns every job in it. */
  clear(): T[];
}

export type PushResult<T> =
  | { ok: true; evicted?: T }
  /** `client`: the client has its share waiting already; `full`: the queue is full and shared fairly. */
  | { ok: false; reason: 'client' | 'full' };

export interface FairQueueOptions {
  /** Jobs that may wait in total. */
  limit: number;
  /** Jobs one client may have waiting. */
  perClient: number;
}

export function createFairQueue<T>({ limit, perClient }: FairQueueOptions): FairQueue<T> {
  // Insertion order is the rotation: the first client's turn is next; a served client moves to the end.
  const byClient = new Map<string, T[]>();
  let size = 0;

  function greediest(): [string, T[]] | undefined {
    let found: [string, T[]] | undefined;
    for (const entry of byClient) if (!found || entry[1].length > found[1].length) found = entry;
    return found;
  }

  return {
    get size() {
      return size;
    },
    push(client, job) {
      const own = byClient.get(client) ?? [];
      if (own.length >= perClient) return { ok: false, reason: 'client' };
      let evicted: T | undefined;
      if (size >= limit) {
        const greedy = greediest();
        if (!greedy || greedy[1].length < own.length + 2) return { ok: false, reason: 'full' };
        evicted = greedy[1].pop();
        size -= 1;
      }
      own.push(job);
      size += 1;
      if (!byClient.has(client)) byClient.set(client, own);
      return evicted === undefined ? { ok: true } : { ok: true, evicted };
    },
    shift() {
      const turn = byClient.entries().next();
      if (turn.done) return undefined;
      const [client, jobs] = turn.value;
      const job = jobs.shift();
      size -= 1;
      byClient.delete(client);
      if (jobs.length > 0) byClient.set(client, jobs);
      return job;
    },
    clear() {
      const jobs = [...byClient.values()].flat();
      byClient.clear();
      size = 0;
      return jobs;
    },
  };
}
