import { toHex } from './bytes';
import { LIMITS } from './limits';
import type { MediaStore } from './mediaStore';

/** Bytes of photo files one peer host keeps in memory to serve: two files of the largest size. */
export const HOT_FILE_BYTES = 32 * 1024 * 1024;
/** A file not served nor written for this long is let go. */
export const HOT_FILE_MS = 10 * 60_000;

export type HotFileOptions = {
  bytes?: number;
  ttlMs?: number;
  now(): number;
  /** Runs `sweep` after `ms` (a timer), so that files nobody asks for are let go in time, not at the next read. */
  later?(sweep: () => void, ms: number): void;
};

type Hot = { bytes: Uint8Array; usedAt: number };

/**
 * A `MediaStore` that also keeps the files written whole on this side (one's own photos, as they are posted)
 * in memory for a while, and serves their chunks from there. A photo is fetched by every friend online soon
 * after it is posted; reading 16 MiB back from IndexedDB for each of them was a quarter of the CPU the
 * transfer cost the two browsers (`npm run bench:media`). Files are named by their hash, so kept bytes never go
 * stale; whether a file is still held (not freed with its last post) is asked of the store at every read.
 * Holds at most `bytes` (the least recently used go first), each file at most `ttlMs` after its last use.
 */
export function withHotFiles(store: MediaStore, options: HotFileOptions): MediaStore & { readonly hotBytes: number } {
  const limit = options.bytes ?? HOT_FILE_BYTES;
  const ttl = options.ttlMs ?? HOT_FILE_MS;
  /** Least recently used first (a Map keeps insertion order; a use moves a file to the end). */
  const hot = new Map<string, Hot>();
  let held = 0;

  function forget(name: string): void {
    const file = hot.get(name);
    if (!file) return;
    hot.delete(name);
    held -= file.bytes.length;
  }

  function expire(): void {
    const before = options.now() - ttl;
    for (const [name, file] of hot) if (file.usedAt <= before) forget(name);
  }

  let sweeping = false;
  function sweepLater(): void {
    if (sweeping || !options.later || hot.size === 0) return;
    sweeping = true;
    options.later(() => {
      sweeping = false;
      expire();
      sweepLater();
    }, ttl);
  }

  function keep(name: string, bytes: Uint8Array): void {
    forget(name);
    if (bytes.length > limit) return;
    while (held + bytes.length > limit) forget(hot.keys().next().value!);
    hot.set(name, { bytes, usedAt: options.now() });
    held += bytes.length;
    sweepLater();
  }

  /** The kept bytes of `name` if the store still holds it complete; a use. */
  async function hotFile(name: string): Promise<Uint8Array | null> {
    expire();
    const file = hot.get(name);
    if (!file) return null;
    if ((await store.completeSize(name)) !== file.bytes.length) {
      forget(name);
      return null;
    }
    hot.delete(name);
    hot.set(name, { ...file, usedAt: options.now() });
    return file.bytes;
  }

  const chunkOf = (bytes: Uint8Array, index: number) => bytes.slice(index * LIMITS.mediaChunkBytes, (index + 1) * LIMITS.mediaChunkBytes);

  return {
    ...store,
    async putFile(ref, bytes) {
      await store.putFile(ref, bytes);
      const name = toHex(ref.sha256);
      if ((await store.completeSize(name)) === bytes.length) keep(name, bytes.slice());
    },
    async readChunk(file, index) {
      const bytes = await hotFile(file);
      if (!bytes) return store.readChunk(file, index);
      return Number.isInteger(index) && index >= 0 && index * LIMITS.mediaChunkBytes < bytes.length ? chunkOf(bytes, index) : null;
    },
    async readChunks(file, from, count) {
      const bytes = await hotFile(file);
      if (!bytes) return store.readChunks(file, from, count);
      if (!Number.isInteger(from) || from < 0 || !(count > 0)) return [];
      const chunks: Uint8Array[] = [];
      for (let index = from; index < from + count && index * LIMITS.mediaChunkBytes < bytes.length; index++) chunks.push(chunkOf(bytes, index));
      return chunks;
    },
    get hotBytes() {
      expire();
      return held;
    },
  };
}
