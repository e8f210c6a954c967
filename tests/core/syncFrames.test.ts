import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../core/messages';
import type { OutboxItem, StoredEntry } from '../../core/replica';
import { packBatch, packSubmits } from '../../core/syncFrames';
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
});
