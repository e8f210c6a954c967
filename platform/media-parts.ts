import { LIMITS } from '../core/limits';
import type { MediaChunkV6, MediaChunkV7 } from './content-records';

/**
 * How a photo chunk is kept (content database version 7): in parts of at most 32 KiB, each its own record.
 * Chromium keeps a value over 64 KiB outside its database, as a file of its own, and a 64 KiB chunk with
 * its key is just over: writing 16 MiB as 64 KiB records cost three times what it cost as 32 KiB ones, and
 * the two browser processes' storage work was a quarter of a 16 MiB transfer's CPU (`npm run bench:media`).
 * A chunk's parts are always written in one transaction, so a chunk is held whole or not at all.
 */
export const PART_BYTES = 32 * 1024;

/** Parts chunk `index` of a file of `size` bytes is kept in. */
export function partCount(size: number, index: number): number {
  const bytes = Math.min(LIMITS.mediaChunkBytes, size - index * LIMITS.mediaChunkBytes);
  return Math.max(1, Math.ceil(bytes / PART_BYTES));
}

/** Part records a whole file of `size` bytes is kept in: chunks are a whole number of parts, all but the last full. */
export const partsOfFile = (size: number): number => Math.ceil(size / PART_BYTES);

/** The records chunk `index` of file `name` is kept in; copies, so a subarray never stores its whole buffer. */
export function toParts(name: string, index: number, bytes: Uint8Array): MediaChunkV7[] {
  const parts: MediaChunkV7[] = [];
  for (let part = 0, at = 0; at < bytes.length || part === 0; part++, at += PART_BYTES) {
    parts.push({ name, index, part, bytes: bytes.slice(at, at + PART_BYTES) });
  }
  return parts;
}

/**
 * Chunks from part records in key order (one file's, or several files'): each chunk the concatenation of
 * its parts. A chunk whose parts are not 0, 1, … in a row is left out: it is not held whole.
 */
export function joinParts(rows: readonly MediaChunkV7[]): MediaChunkV6[] {
  const chunks: MediaChunkV6[] = [];
  let i = 0;
  while (i < rows.length) {
    const { name, index } = rows[i]!;
    let end = i;
    while (end < rows.length && rows[end]!.name === name && rows[end]!.index === index) end++;
    const parts = rows.slice(i, end);
    if (parts.every((p, n) => p.part === n)) {
      const bytes = parts.length === 1 ? parts[0]!.bytes : new Uint8Array(parts.reduce((n, p) => n + p.bytes.length, 0));
      if (parts.length > 1) parts.reduce((at, p) => (bytes.set(p.bytes, at), at + p.bytes.length), 0);
      chunks.push({ name, index, bytes });
    }
    i = end;
  }
  return chunks;
}

/** Joins part records that come one at a time in key order (a cursor's): `emit` gets each whole chunk. */
export function createChunkJoiner(emit: (chunk: MediaChunkV6) => void) {
  let pending: MediaChunkV7[] = [];
  const flush = (): void => {
    for (const chunk of joinParts(pending)) emit(chunk);
    pending = [];
  };
  return {
    add(part: MediaChunkV7): void {
      const last = pending.at(-1);
      if (last && (last.name !== part.name || last.index !== part.index)) flush();
      pending.push(part);
    },
    flush,
  };
}
