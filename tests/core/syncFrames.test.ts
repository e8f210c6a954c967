import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../core/messages';
import type { OutboxItem, StoredEntry } from '../../core/replica';
import { LIMITS } from '../../core/limits';
import { BATCH_READ_CHUNK, packBatch, packSubmits, readBatch } from '../../core/syncFrames';
import { handle, sealedEntry, seqNum, signedEntry } from './support/arbitraries';

const stored = sealedEntry.map((e): StoredEntry => ({ ...e, id: 'x', receivedAt: 1, tombstoned: false }));

describe('frames from entries encoded once', () => {
  it('packs a batch that decodes to the entries it says it sent', () => {
    fc.assert(
      fc.property(handle, seqNum, fc.array(stored, { maxLength: 4 }), (wall, headSeq, candidates) => {
        const { frame, lastSeq } = packBatch(wall, headSeq, candidates);
        const entries = candidates.map(({ header, authorSig, body, seq, prev, ownerSig }) => ({ header, authorSig, body, seq, prev, ownerSig }));
        expect(decodeMessage(frame)).toEqual({ ok: true, value: { type: 'batch', wall, headSeq, entries } });
        expect(lastSeq).toBe(candidates.at(-1)?.seq ?? null);
      }),
      { numRuns: 100 },
    );
  });

  it('packs outbox items into submits that decode to every entry, in order', () => {
    fc.assert(
      fc.property(fc.array(signedEntry, { maxLength: 40 }), (entries) => {
        const items: OutboxItem[] = entries.map((entry, i) => ({ id: String(i), entry, queuedAt: i }));
        const decoded = packSubmits(items).map((frame) => decodeMessage(frame));
        const sent = decoded.flatMap((d) => (d.ok && d.value.type === 'submit' ? d.value.entries : []));
        expect(decoded.every((d) => d.ok)).toBe(true);
        expect(sent).toEqual(entries);
      }),
      { numRuns: 50 },
    );
  });

  it('reads a batch a chunk at a time up to max, stopping at the end of the wall', async () => {
    const wall = fc.sample(stored, 1)[0]!;
    const log = Array.from({ length: 200 }, (_, i): StoredEntry => ({ ...wall, seq: i + 1 }));
    const reads: { afterSeq: number; max: number }[] = [];
    const read = async (afterSeq: number, max: number) => {
      reads.push({ afterSeq, max });
      return log.filter((e) => e.seq > afterSeq).slice(0, max);
    };

    const upTo150 = await readBatch(read, 'alice', 200, 10, 150);
    expect(upTo150.lastSeq).toBe(160);
    // Small first, then doubling up to a chunk: 8, 16, 32, 64, and the 30 left.
    expect(reads).toEqual([
      { afterSeq: 10, max: 8 },
      { afterSeq: 18, max: 16 },
      { afterSeq: 34, max: 32 },
      { afterSeq: 66, max: BATCH_READ_CHUNK },
      { afterSeq: 130, max: 30 },
    ]);

    reads.length = 0;
    const toTheEnd = await readBatch(read, 'alice', 200, 190, LIMITS.byteBatchEntries);
    expect(toTheEnd.lastSeq).toBe(200);
    expect(reads).toEqual([{ afterSeq: 190, max: 8 }, { afterSeq: 198, max: 16 }]);
    const decoded = decodeMessage(toTheEnd.frame);
    expect(decoded.ok && decoded.value.type === 'batch' && decoded.value.entries.map((e) => e.seq)).toEqual([191, 192, 193, 194, 195, 196, 197, 198, 199, 200]);
  });

  it('stops reading once the frame is full: large entries are read a few at a time', async () => {
    const big = fc.sample(stored, 1)[0]!;
    // About 40 KB of body each: six fit a frame.
    const entry = (seq: number): StoredEntry => ({ ...big, seq, body: new Uint8Array(40_000) });
    let read = 0;
    const { frame, lastSeq } = await readBatch(
      async (afterSeq, max) => {
        const chunk = Array.from({ length: max }, (_, i) => entry(afterSeq + i + 1));
        read += chunk.length;
        return chunk;
      },
      'alice',
      10_000,
      0,
      LIMITS.byteBatchEntries,
    );

    expect(frame.length).toBeLessThanOrEqual(LIMITS.frameBytes);
    expect(lastSeq).toBe(6);
    expect(read).toBe(8); // not 64 entries of 40 KB for a frame that takes 6
  });
});

