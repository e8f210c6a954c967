import { toHex } from './bytes';
import { LIMITS } from './limits';
import { chunkCount } from './media';
import type { MediaStore } from './mediaStore';
import type { ErrorCode, MissingReason, PeerMessage } from './messages';

export type MediaServeDeps = {
  store: MediaStore;
  peer: string;
  /** Whether the friend may read `wall`: either side's own, or a third wall it showed a live pass for (§7.5). */
  mayRead(wall: string): Promise<boolean>;
  now(): number;
  /** Chunks the friend may have asked for and not received (`mediaWindowFor` the session's version). */
  window: number;
  send(m: PeerMessage): void;
  /** Resolves once the transport can take another frame (its buffered amount is low). */
  drained(): Promise<void>;
  open(): boolean;
  refuse(code: ErrorCode, reason: string): void;
  /** Storage failed while serving, outside the session's queue. */
  failed(error: unknown): void;
};

/** A fetch being answered; `read`: its chunks from `from`, read at once (at most the fetch's count). */
type Job = { file: Uint8Array; name: string; from: number; next: number; end: number; missing: MissingReason | null; read: Promise<Uint8Array[]> | null };

/**
 * The serving half of a session's photos (docs/protocol.md §7.6): a friend's fetches answered in the order
 * they came, each chunk sent once the transport has drained, beside the session's other messages. Only
 * complete files that an entry of a wall the friend may read refers to are served; no secret key is needed.
 */
export function createMediaServe(d: MediaServeDeps) {
  const { store } = d;
  /** The friend's fetches being answered, oldest first, and the chunks they still owe. */
  const jobs: Job[] = [];
  let owed = 0;
  const fetchTimes: number[] = [];
  let pumping = false;

  async function onFetch(m: Extract<PeerMessage, { type: 'fetch' }>): Promise<void> {
    const now = d.now();
    while (fetchTimes.length && fetchTimes[0]! <= now - 1000) fetchTimes.shift();
    fetchTimes.push(now);
    if (fetchTimes.length > LIMITS.mediaFetchesPerSecond) return d.refuse('bad_message', `@${d.peer} asked for photos more than ${LIMITS.mediaFetchesPerSecond} times in a second.`);
    if (owed + m.count > d.window) return d.refuse('bad_message', `@${d.peer} asked for more than ${d.window} photo chunks at once.`);
    const name = toHex(m.file);
    const job: Job = { file: m.file, name, from: m.from, next: m.from, end: m.from + m.count, missing: null, read: null };
    if (!(await d.mayRead(m.wall))) job.missing = 'not_allowed';
    else {
      // Held for that wall, or not at all: a friend learns nothing of files other walls refer to.
      const size = await store.completeSize(name);
      if (size === null || !(await store.wallsReferencing(name)).includes(m.wall)) job.missing = 'not_held';
      else if (job.end > chunkCount(size)) return d.refuse('bad_message', `@${d.peer} asked for chunks past the end of photo ${name.slice(0, 12)}.`);
    }
    owed += m.count;
    jobs.push(job);
    void pump();
  }

  /**
   * Answers the friend's fetches in order, one chunk per drained transport; runs beside the session's queue.
   * A fetch's chunks are read in one transaction, not one read per chunk, and the next fetch's while this
   * one's are sent (`npm run bench:media`); fetches owe at most `window` chunks in all,
   * so that holds 1 MiB (version 4) or 4 MiB (version 5) at most.
   */
  const readOf = (job: Job) => (job.read ??= store.readChunks(job.name, job.from, job.end - job.from));

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (jobs.length && d.open()) {
        const job = jobs[0]!;
        if (!job.missing) {
          const data = (await readOf(job))[job.next - job.from];
          const after = jobs[1];
          if (after && !after.missing) readOf(after).catch(() => undefined); // awaited in its turn
          await d.drained();
          if (!d.open()) break;
          if (data) {
            d.send({ type: 'chunk', file: job.file, index: job.next++, data });
            owed--;
            if (job.next === job.end) jobs.shift();
            continue;
          }
          job.missing = 'not_held'; // freed meanwhile (its last post was deleted)
        }
        d.send({ type: 'missing', file: job.file, reason: job.missing });
        owed -= job.end - job.next;
        jobs.shift();
      }
    } catch (error) {
      d.failed(error);
    } finally {
      pumping = false;
    }
  }

  return {
    onFetch,
    /** Fetches of the friend's still being answered. */
    get pending(): number {
      return jobs.length;
    },
    clear(): void {
      jobs.length = 0;
    },
  };
}
