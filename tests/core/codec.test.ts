import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody } from '../../core/body';
import { ByteWriter } from '../../core/bytes';
import { decodeHeader, encodeHeader } from '../../core/entry';
import { ENTRY_KINDS, type EntryKind } from '../../core/entryKind';
import { LIMITS } from '../../core/limits';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { decodeRotation, encodeRotation } from '../../core/rotation';
import { entryBody, header, peerMessage, rotation, signedEntry } from './support/arbitraries';

const KINDS = Object.keys(ENTRY_KINDS) as EntryKind[];

describe('canonical encoding', () => {
  it('round-trips every peer message type', () => {
    fc.assert(
      fc.property(peerMessage, (m) => {
        const bytes = encodeMessage(m);
        expect(decodeMessage(bytes)).toEqual({ ok: true, value: m });
        // Canonical: the decoded value re-encodes to the very same bytes.
        const again = decodeMessage(bytes);
        if (again.ok) expect(encodeMessage(again.value)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('covers all sixteen message types in the arbitrary', () => {
    const seen = new Set(fc.sample(peerMessage, { numRuns: 800, seed: 1 }).map((m) => m.type));
    expect([...seen].sort()).toEqual(['auth', 'batch', 'carry', 'chunk', 'error', 'fetch', 'heads', 'hello', 'holds', 'missing', 'notify', 'pass', 'revocations', 'submit', 'submitted', 'want']);
  });

  it('round-trips every entry header kind', () => {
    fc.assert(
      fc.property(header, (h) => {
        expect(decodeHeader(encodeHeader(h))).toEqual({ ok: true, value: h });
      }),
      { numRuns: 200 },
    );
    const kinds = new Set(fc.sample(header, { numRuns: 300, seed: 2 }).map((h) => h.kind));
    expect(kinds.size).toBe(KINDS.length);
  });

  it('round-trips every entry body kind', () => {
    fc.assert(
      fc.property(entryBody, (b) => {
        expect(decodeBody(b.kind, encodeBody(b))).toEqual({ ok: true, value: b });
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips rotation statements', () => {
    fc.assert(fc.property(rotation, (r) => {
      expect(decodeRotation(encodeRotation(r))).toEqual({ ok: true, value: r });
    }), { numRuns: 100 });
  });

  it('never throws on arbitrary bytes, and rejects with a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...KINDS), (bytes, kind) => {
        for (const result of [decodeMessage(bytes), decodeHeader(bytes), decodeBody(kind, bytes), decodeRotation(bytes)]) {
          if (!result.ok) expect(result.reason).toMatch(/\w/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutations of valid frames', () => {
    fc.assert(
      fc.property(peerMessage, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (m, at, value, truncate) => {
        const bytes = encodeMessage(m);
        const i = at % bytes.length;
        const mutated = truncate ? bytes.slice(0, i) : bytes.map((b, j) => (j === i ? value : b));
        const result = decodeMessage(mutated);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects non-binary input instead of throwing', () => {
    for (const input of [null, undefined, 'hello', 42, {}, [1, 2, 3], new ArrayBuffer(4)]) {
      expect(decodeMessage(input).ok).toBe(false);
    }
  });

  it('rejects trailing bytes, so every message has exactly one encoding', () => {
    const bytes = encodeMessage({ type: 'notify', wall: 'bob', headSeq: 3 });
    expect(decodeMessage(new Uint8Array([...bytes, 0]))).toMatchObject({ ok: false, reason: expect.stringContaining('trailing') });
  });

  it('rejects a flag byte other than 0 or 1', () => {
    // A submitted entry without a body ends with its option flag 0.
    const entry = fc.sample(signedEntry, { numRuns: 1, seed: 3 })[0]!;
    const submit = encodeMessage({ type: 'submit', entries: [{ ...entry, body: null }] });
    expect(submit.at(-1)).toBe(0);
    expect(decodeMessage(submit).ok).toBe(true);
    expect(decodeMessage(submit.map((b, i) => (i === submit.length - 1 ? 2 : b)))).toMatchObject({ ok: false, reason: expect.stringContaining('must be 0 or 1') });
  });

  it('rejects an unknown message type', () => {
    const want = encodeMessage({ type: 'want', wall: 'bob', afterSeq: 1, max: 5 });
    expect(decodeMessage(want).ok).toBe(true);
    expect(decodeMessage(want.map((b, i) => (i === 0 ? 99 : b)))).toMatchObject({ ok: false, reason: expect.stringContaining('unknown message type') });
  });

  it('refuses to encode a number that does not fit its field, rather than wrapping it', () => {
    expect(() => new ByteWriter().u8(256)).toThrow(RangeError);
    expect(() => new ByteWriter().u16(-1)).toThrow(RangeError);
    expect(() => new ByteWriter().u32(2 ** 32)).toThrow(RangeError);
    expect(() => encodeMessage({ type: 'want', wall: 'bob', afterSeq: 0, max: 65_536 })).toThrow(RangeError);
  });

  it('rejects a frame larger than the frame limit before decoding it', () => {
    expect(decodeMessage(new Uint8Array(LIMITS.frameBytes + 1))).toEqual({ ok: false, reason: 'frame is larger than 256 KiB' });
  });

  it('rejects a want asking for more than any version’s batch', () => {
    const bytes = new ByteWriter().u8(16).text('bob').u64(0).u16(LIMITS.byteBatchEntries + 1).finish();
    expect(decodeMessage(bytes)).toMatchObject({ ok: false, reason: expect.stringContaining('want.max') });
  });

  // §7.1: an error's message is at most 500 code points, a rejection reason at most 200. The byte
  // bound (4 per code point) alone would let 2 000 ASCII characters through.
  it('rejects an error message longer than 500 characters, even within its byte bound', () => {
    const error = (message: string) => encodeMessage({ type: 'error', code: 'bad_message', message });
    expect(decodeMessage(error('€'.repeat(LIMITS.errorMessageChars))).ok).toBe(true);
    expect(decodeMessage(error('x'.repeat(LIMITS.errorMessageChars + 1)))).toEqual({
      ok: false,
      reason: `bad message: error message is longer than ${LIMITS.errorMessageChars} characters`,
    });
  });

  it('rejects a rejection reason longer than 200 characters, even within its byte bound', () => {
    const submitted = (reason: string) => encodeMessage({ type: 'submitted', results: [{ id: new Uint8Array(32), status: 'rejected', reason }] });
    expect(decodeMessage(submitted('€'.repeat(LIMITS.reasonChars))).ok).toBe(true);
    expect(decodeMessage(submitted('x'.repeat(LIMITS.reasonChars + 1)))).toEqual({
      ok: false,
      reason: `bad message: rejection reason is longer than ${LIMITS.reasonChars} characters`,
    });
  });

  it('rejects sequence numbers beyond 2^53-1', () => {
    const bytes = new ByteWriter().u8(18).text('bob').finish();
    const frame = new Uint8Array([...bytes, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeMessage(frame)).toMatchObject({ ok: false, reason: expect.stringContaining('2^53') });
  });

  it('refuses to encode text with an unpaired surrogate rather than altering it', () => {
    expect(() => encodeBody({ kind: 'comment', body: { text: 'a\ud800b' } })).toThrow(/surrogate/);
  });

  it('rejects invalid UTF-8 in text', () => {
    const good = encodeBody({ kind: 'comment', body: { text: 'hé' } });
    const bad = good.map((b, i) => (i === good.length - 1 ? 0xff : b));
    expect(decodeBody('comment', bad)).toMatchObject({ ok: false, reason: expect.stringContaining('UTF-8') });
  });

  it('enforces text limits in code points on both sides', () => {
    const long = 'é'.repeat(LIMITS.postChars + 1);
    expect(() => encodeBody({ kind: 'post', body: { text: long, media: [] } })).toThrow(/longer than 10000/);
    const exact = encodeBody({ kind: 'post', body: { text: '😀'.repeat(LIMITS.postChars), media: [] } });
    expect(decodeBody('post', exact).ok).toBe(true);
    const over = new ByteWriter().u8(1).text('x'.repeat(LIMITS.commentChars + 1)).finish();
    expect(decodeBody('comment', over)).toMatchObject({ ok: false, reason: expect.stringContaining('longer than') });
  });

  it('rejects a like that carries a body', () => {
    expect(decodeBody('like', new Uint8Array([1])).ok).toBe(false);
  });
});
