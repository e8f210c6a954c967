import type { MediaStore } from './mediaStore';

type Run = { file: string; from: number; of: number; chunks: Uint8Array[] };

export type ChunkWriterDeps = {
  store: MediaStore;
  /**
   * Checked chunks the writer may hold before the caller waits for the store (half the fetch window); past
   * this, the session's next frame waits, and the window is not refilled, so what a slow disk holds in memory
   * stays bounded.
   */
  behind: number;
  /** Chunks `0 … held - 1` of `file`'s `of` … as far as this run went are stored. */
  stored(file: string, held: number, of: number): void;
  /** The store refused a write: the session ends as on any storage failure. */
  failed(error: unknown): void;
};

/**
 * Stores a puller's checked chunks behind it (docs/protocol.md §7.6): the session checks the next chunk while
 * the last ones are written, and consecutive chunks of a file go to the store in one call (one IndexedDB
 * transaction) instead of one each — the per-chunk write was most of a transfer's time in the browser
 * (`npm run bench:media`). Nothing unchecked is queued, so a chunk stored late is still a chunk that matched.
 */
export function createChunkWriter(d: ChunkWriterDeps) {
  const runs: Run[] = [];
  let unwritten = 0;
  let writing: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (runs.length) {
      for (const run of runs.splice(0)) {
        await d.store.putChunks(run.file, run.from, run.chunks);
        unwritten -= run.chunks.length;
        d.stored(run.file, run.from + run.chunks.length, run.of);
      }
    }
  }

  /** The write under way (started if none was), which ends once nothing is queued. */
  function write(): Promise<void> {
    writing ??= drain()
      .catch((error: unknown) => {
        runs.length = 0;
        unwritten = 0;
        d.failed(error);
      })
      .finally(() => {
        writing = null;
      });
    return writing;
  }

  return {
    /** Queues chunk `index` of `file` (of `of`), checked; resolves at once unless more than `behind` are waiting. */
    async add(file: string, index: number, of: number, bytes: Uint8Array): Promise<void> {
      const last = runs.at(-1);
      if (last?.file === file && last.from + last.chunks.length === index) last.chunks.push(bytes);
      else runs.push({ file, from: index, of, chunks: [bytes] });
      unwritten++;
      const written = write();
      if (unwritten > d.behind) await written;
    },
    /** Resolves once every queued chunk is stored. */
    async flush(): Promise<void> {
      while (writing || runs.length) await write();
    },
    /** Chunks checked and not stored yet. */
    get pending(): number {
      return unwritten;
    },
  };
}

export type ChunkWriter = ReturnType<typeof createChunkWriter>;
