import { describe, expect, it } from 'vitest';
import { LIMITS } from '@/core/limits';
import type { MediaChunkV7 } from '@/platform/content-db';
import { PART_BYTES, createChunkJoiner, joinParts, partCount, partsOfFile, toParts } from '@/platform/media-parts';

const CHUNK = LIMITS.mediaChunkBytes;
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251);

describe('photo chunks kept in parts (platform/media-parts.ts)', () => {
  it('keeps a full chunk in two parts of 32 KiB and a short one in as many as it needs, each under 64 KiB', () => {
    expect(PART_BYTES).toBeLessThan(64 * 1024 - 1024); // room for the key and the record's other fields
    expect(toParts('f', 0, bytes(CHUNK)).map((p) => [p.index, p.part, p.bytes.length])).toEqual([
      [0, 0, PART_BYTES],
      [0, 1, PART_BYTES],
    ]);
    expect(toParts('f', 3, bytes(PART_BYTES + 5)).map((p) => [p.part, p.bytes.length])).toEqual([
      [0, PART_BYTES],
      [1, 5],
    ]);
    expect(toParts('f', 3, bytes(10)).map((p) => [p.part, p.bytes.length])).toEqual([[0, 10]]);
    expect([0, 1, 2].map((i) => partCount(2 * CHUNK + 10, i))).toEqual([2, 2, 1]);
    expect(partsOfFile(2 * CHUNK + 10)).toBe(5);
    expect(partsOfFile(2 * CHUNK)).toBe(4);
  });

  it('copies: a part of a subarray holds only its own bytes', () => {
    const whole = bytes(3 * CHUNK);
    const [first] = toParts('f', 1, whole.subarray(CHUNK, 2 * CHUNK));
    expect(first!.bytes.buffer.byteLength).toBe(PART_BYTES);
  });

  it('joins parts back into the chunks they were cut from, several files and chunks in key order', () => {
    const a0 = bytes(CHUNK, 1);
    const a1 = bytes(700, 2);
    const b5 = bytes(CHUNK, 3);
    const rows = [...toParts('a', 0, a0), ...toParts('a', 1, a1), ...toParts('b', 5, b5)];
    expect(joinParts(rows)).toEqual([
      { name: 'a', index: 0, bytes: a0 },
      { name: 'a', index: 1, bytes: a1 },
      { name: 'b', index: 5, bytes: b5 },
    ]);
  });

  it('leaves out a chunk whose parts are not all there from the first', () => {
    const [p0, p1] = toParts('a', 0, bytes(CHUNK));
    const rows: MediaChunkV7[] = [p1!, ...toParts('a', 1, bytes(10))];
    expect(joinParts(rows).map((c) => c.index)).toEqual([1]);
    expect(joinParts([p0!, p0!]).map((c) => c.index), 'part 0 twice is no chunk').toEqual([]);
  });

  it('joins parts that come one at a time, as from a cursor', () => {
    const chunks: number[][] = [];
    const joiner = createChunkJoiner((c) => chunks.push([c.index, c.bytes.length]));
    for (const part of [...toParts('a', 0, bytes(CHUNK)), ...toParts('a', 1, bytes(9)), ...toParts('b', 0, bytes(PART_BYTES + 1))]) joiner.add(part);
    expect(chunks).toEqual([
      [0, CHUNK],
      [1, 9],
    ]);
    joiner.flush();
    expect(chunks.at(-1)).toEqual([0, PART_BYTES + 1]);
  });
});
