import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../core/bytes';
import { writeSignedEntry } from '../../core/entry';
import { encodeBatchFrame, encodeMessage, encodeSubmitFrame } from '../../core/messages';
import { writeSealedEntry } from '../../core/seal';
import { handle, sealedEntry, seqNum, signedEntry } from './support/arbitraries';

const encoded = <T>(write: (w: ByteWriter, v: T) => void, value: T): Uint8Array => {
  const w = new ByteWriter();
  write(w, value);
  return w.finish();
};

describe('frames from entries encoded once', () => {
  it('builds batch frames byte-identical to encoding the whole message', () => {
    fc.assert(
      fc.property(handle, seqNum, fc.array(sealedEntry, { maxLength: 4 }), (wall, headSeq, entries) => {
        const once = encodeBatchFrame(wall, headSeq, entries.map((e) => encoded(writeSealedEntry, e)));
        expect(once).toEqual(encodeMessage({ type: 'batch', wall, headSeq, entries }));
      }),
      { numRuns: 100 },
    );
  });

  it('builds submit frames byte-identical to encoding the whole message', () => {
    fc.assert(
      fc.property(fc.array(signedEntry, { maxLength: 4 }), (entries) => {
        expect(encodeSubmitFrame(entries.map((e) => encoded(writeSignedEntry, e)))).toEqual(encodeMessage({ type: 'submit', entries }));
      }),
      { numRuns: 100 },
    );
  });
});
