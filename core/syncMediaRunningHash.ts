import { sha256 } from '@noble/hashes/sha2.js';

type Running = { next: number; hash: ReturnType<typeof sha256.create> };

/**
 * The whole-file SHA-256 of the files a session fetches from their first chunk, fed each checked chunk in
 * order as it arrives, so the file's hash is ready when its last chunk is (docs/protocol.md §7.6). Reading a
 * 16 MiB file back from storage to hash it took about 350 ms after its last chunk (`npm run bench:media`).
 * A file resumed from a later chunk, or whose chunks came out of order, has no running hash: it is read back.
 * Holds one hash state (about 100 bytes) per file being fetched, never the chunks.
 */
export function createRunningHashes() {
  const running = new Map<string, Running>();
  return {
    /** A fetch of `file` from chunk `from` begins: hashed as it comes only if that is the first chunk. */
    begin(file: string, from: number): void {
      if (from === 0) running.set(file, { next: 0, hash: sha256.create() });
      else if (running.get(file)?.next !== from) running.delete(file);
    },
    /** Checked chunk `index` of `file`; any other than the next one ends its running hash. */
    add(file: string, index: number, data: Uint8Array): void {
      const r = running.get(file);
      if (!r) return;
      if (index !== r.next) return void running.delete(file);
      r.hash.update(data);
      r.next++;
    },
    /** The file's SHA-256 if all its `count` chunks went through `add` in order, else null; forgets the file. */
    take(file: string, count: number): Uint8Array | null {
      const r = running.get(file);
      running.delete(file);
      return r?.next === count ? r.hash.digest() : null;
    },
    drop(file: string): void {
      running.delete(file);
    },
    clear(): void {
      running.clear();
    },
  };
}
