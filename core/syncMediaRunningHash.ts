import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes';
import type { Sha256 } from './media';

/**
 * Bytes of fetched chunks one peer host holds in memory, over all its sessions, to hash files whole when their
 * last chunk arrives: two files of the largest size (`LIMITS.mediaBytes`).
 */
export const HELD_FOR_HASHING_BYTES = 32 * 1024 * 1024;

/** Memory shared by the sessions of one peer host; `take` answers whether `bytes` more may be held. */
export interface HashMemory {
  take(bytes: number): boolean;
  give(bytes: number): void;
}

export function createHashMemory(bytes = HELD_FOR_HASHING_BYTES): HashMemory {
  let left = bytes;
  return {
    take(n) {
      if (n > left) return false;
      left -= n;
      return true;
    },
    give(n) {
      left += n;
    },
  };
}

/** A file hashed as it comes: its chunks held for one native digest at the end, or, without memory for them, a pure-JS hash fed in order. */
type Running = { next: number } & ({ held: Uint8Array[]; bytes: number } | { hash: ReturnType<typeof sha256.create> });

/**
 * The whole-file SHA-256 of the files a session fetches from their first chunk, from each checked chunk in
 * order as it arrives, so that no file is read back from storage after its last chunk (about 350 ms for
 * 16 MiB; docs/protocol.md §7.6). While `memory` lasts, a file's chunks are kept and hashed once, natively, at
 * the end: a pure-JS hash fed as they came cost the receiving page about 0.8 s of its main thread per 16 MiB,
 * the native digest of the whole some tens of milliseconds (`npm run bench:media`). A file resumed from a later
 * chunk, or whose chunks came out of order, has no running hash: it is read back.
 */
export function createRunningHashes(hash: Sha256, memory: HashMemory) {
  const running = new Map<string, Running>();

  function forget(file: string): Running | undefined {
    const r = running.get(file);
    running.delete(file);
    if (r && 'held' in r) memory.give(r.bytes);
    return r;
  }

  return {
    /** A fetch of `file` (`size` bytes) from chunk `from` begins: hashed as it comes only if that is the first chunk. */
    begin(file: string, from: number, size: number): void {
      if (from !== 0) {
        if (running.get(file)?.next !== from) forget(file);
        return;
      }
      forget(file);
      running.set(file, memory.take(size) ? { next: 0, held: [], bytes: size } : { next: 0, hash: sha256.create() });
    },
    /** Checked chunk `index` of `file`; any other than the next one ends its running hash. */
    add(file: string, index: number, data: Uint8Array): void {
      const r = running.get(file);
      if (!r) return;
      if (index !== r.next) return void forget(file);
      if ('held' in r) r.held.push(data);
      else r.hash.update(data);
      r.next++;
    },
    /** The file's SHA-256 if all its `count` chunks went through `add` in order, else null; forgets the file. */
    async take(file: string, count: number): Promise<Uint8Array | null> {
      const r = forget(file);
      if (r?.next !== count) return null;
      if (!('held' in r)) return r.hash.digest();
      const whole = concatBytes(...r.held);
      r.held.length = 0;
      return hash(whole);
    },
    drop(file: string): void {
      forget(file);
    },
    clear(): void {
      for (const file of [...running.keys()]) forget(file);
    },
  };
}
