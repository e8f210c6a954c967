import { toHex } from './bytes';
import { LIMITS } from './limits';
import { chunkCount, type MediaRef, sameMediaRef } from './media';

/** Why a file is kept: entry `entry` of `wall` refers to it, as a thumbnail or as a full image. */
export type MediaUse = { wall: string; entry: string; thumbnail: boolean };

/** A referenced file not complete yet: what a session asks its friend for (docs/protocol.md §7.6). */
export type WantedFile = { ref: MediaRef; uses: MediaUse[] };

/**
 * Photo files by SHA-256 (docs/protocol.md §7.6): content-addressed, so the same image posted twice is
 * held once, and reference-counted by the entries that refer to it, so a file goes when its last post
 * does. A file is complete only after the whole-file hash was checked. Async and copy-returning like
 * `Replica`, so an IndexedDB implementation can follow the in-memory one. Files are named by the
 * 64-hex of their hash.
 */
export interface MediaStore {
  /** Records that `use` refers to the file (again: idempotent). */
  /**
   * Records that `use` refers to the file. A reference whose size, type or chunk list differs from the one
   * first recorded for that hash is not recorded (§7.6): the file is fetched and served only as that one
   * describes it, so a forged reference cannot make an honest holder's chunks fail its checks.
   */
  addReference(ref: MediaRef, use: MediaUse): Promise<void>;
  /** Drops the references of these entries of `wall`; a file left with none is freed, chunks and all. */
  dropReferences(wall: string, entries: readonly string[]): Promise<void>;
  /** Drops every reference of `wall` (after unfriending). */
  dropWall(wall: string): Promise<void>;
  /** The entries of `wall` that refer to any file (a profile picture's old profile among them). */
  entriesReferencing(wall: string): Promise<string[]>;
  /** The walls whose entries refer to the file. */
  wallsReferencing(file: string): Promise<string[]>;
  /** Referenced files that are not complete. */
  wanted(): Promise<WantedFile[]>;
  /** The first chunk index not held (the chunk count once all are). */
  firstMissing(file: string): Promise<number>;
  /** Keeps a chunk already checked against its hash; ignored for a file nothing refers to. */
  putChunk(file: string, index: number, bytes: Uint8Array): Promise<void>;
  /** Keeps checked chunks `from`, `from + 1`, … at once (one transaction), each as `putChunk` would. */
  putChunks(file: string, from: number, chunks: readonly Uint8Array[]): Promise<void>;
  /** Every chunk in order as one file, or null while any is missing. */
  assemble(file: string): Promise<Uint8Array | null>;
  /** Marks a file whose whole hash matched as complete: it may be shown and served. */
  complete(file: string): Promise<void>;
  /** Forgets the chunks of a file whose whole hash did not match (its references stay). */
  discard(file: string): Promise<void>;
  /** A whole file written on this side (an own photo), complete at once; ignored for a file nothing refers to. */
  putFile(ref: MediaRef, bytes: Uint8Array): Promise<void>;
  /** Chunk `index` of a complete file, else null. */
  readChunk(file: string, index: number): Promise<Uint8Array | null>;
  /** Chunks `from` … `from + count - 1` of a complete file at once (one transaction), fewer past its end; none if it is not complete. */
  readChunks(file: string, from: number, count: number): Promise<Uint8Array[]>;
  /** The size of a complete file, else null. */
  completeSize(file: string): Promise<number | null>;
}

type Held = { ref: MediaRef; uses: MediaUse[]; chunks: (Uint8Array | undefined)[]; complete: boolean };

const copy = <T>(value: T): T => structuredClone(value);
const sameUse = (a: MediaUse, b: MediaUse): boolean => a.wall === b.wall && a.entry === b.entry && a.thumbnail === b.thumbnail;

/** The in-memory `MediaStore`, used by tests and as the reference for other implementations. */
export function createMemoryMediaStore(): MediaStore {
  const chunkBytes = LIMITS.mediaChunkBytes;
  const files = new Map<string, Held>();
  const release = (keep: (u: MediaUse) => boolean) => {
    for (const [name, held] of files) {
      held.uses = held.uses.filter(keep);
      if (held.uses.length === 0) files.delete(name);
    }
  };
  return {
    async addReference(ref, use) {
      const name = toHex(ref.sha256);
      const held = files.get(name) ?? { ref: copy(ref), uses: [], chunks: [], complete: false };
      if (!sameMediaRef(held.ref, ref)) return;
      if (!held.uses.some((u) => sameUse(u, use))) held.uses.push({ ...use });
      files.set(name, held);
    },
    dropReferences: async (wall, entries) => release((u) => u.wall !== wall || !entries.includes(u.entry)),
    dropWall: async (wall) => release((u) => u.wall !== wall),
    entriesReferencing: async (wall) => [...new Set([...files.values()].flatMap((h) => h.uses.filter((u) => u.wall === wall).map((u) => u.entry)))],
    wallsReferencing: async (file) => [...new Set(files.get(file)?.uses.map((u) => u.wall) ?? [])],
    wanted: async () => [...files.values()].filter((h) => !h.complete).map((h) => copy({ ref: h.ref, uses: h.uses })),
    async firstMissing(file) {
      const held = files.get(file);
      if (!held) return 0;
      const count = chunkCount(held.ref.size);
      for (let i = 0; i < count; i++) if (!held.chunks[i]) return i;
      return count;
    },
    async putChunk(file, index, bytes) {
      const held = files.get(file);
      if (held && !held.complete) held.chunks[index] = bytes.slice();
    },
    async putChunks(file, from, chunks) {
      const held = files.get(file);
      if (held && !held.complete) chunks.forEach((bytes, i) => (held.chunks[from + i] = bytes.slice()));
    },
    async assemble(file) {
      const held = files.get(file);
      if (!held) return null;
      const out = new Uint8Array(held.ref.size);
      for (let i = 0; i < chunkCount(held.ref.size); i++) {
        const chunk = held.chunks[i];
        if (!chunk) return null;
        out.set(chunk, i * chunkBytes);
      }
      return out;
    },
    async complete(file) {
      const held = files.get(file);
      if (held) held.complete = true;
    },
    async discard(file) {
      const held = files.get(file);
      if (held) held.chunks = [];
    },
    async putFile(ref, bytes) {
      const held = files.get(toHex(ref.sha256));
      if (!held) return;
      held.chunks = [];
      for (let at = 0; at < bytes.length; at += chunkBytes) held.chunks.push(bytes.slice(at, at + chunkBytes));
      held.complete = true;
    },
    async readChunk(file, index) {
      const held = files.get(file);
      return held?.complete && held.chunks[index] ? held.chunks[index].slice() : null;
    },
    async readChunks(file, from, count) {
      const held = files.get(file);
      if (!held?.complete || !Number.isInteger(from) || from < 0) return [];
      return held.chunks.slice(from, from + Math.max(0, count)).flatMap((chunk) => (chunk ? [chunk.slice()] : []));
    },
    completeSize: async (file) => (files.get(file)?.complete ? files.get(file)!.ref.size : null),
  };
}
