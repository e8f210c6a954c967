import { describe, expect, it } from 'vitest';
import { bodyVersion, decodeBody, encodeBody } from '../../core/body';
import { ByteWriter } from '../../core/bytes';
import { LIMITS } from '../../core/limits';
import { writeMediaRef } from '../../core/media';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { imageBytes, makePhoto, refOf } from './support/photos';

const file = new Uint8Array(32).fill(7);

describe('photo frames (version 4)', () => {
  it.each([
    ['a fetch of no chunk', new ByteWriter().u8(26).text('bob').fixed(file, 32).u16(0).u16(0), 'fetch.count'],
    ['a fetch of more chunks than any version has in flight', new ByteWriter().u8(26).text('bob').fixed(file, 32).u16(0).u16(65), 'fetch.count'],
    ['a fetch past the largest file', new ByteWriter().u8(26).text('bob').fixed(file, 32).u16(250).u16(7), 'beyond the largest file'],
    ['a chunk over 64 KiB', new ByteWriter().u8(27).fixed(file, 32).u16(0).bytes(new Uint8Array(LIMITS.mediaChunkBytes + 1)), 'chunk'],
    ['an empty chunk', new ByteWriter().u8(27).fixed(file, 32).u16(0).bytes(new Uint8Array(0)), 'size out of range'],
    ['a chunk index past the largest file', new ByteWriter().u8(27).fixed(file, 32).u16(256).bytes(new Uint8Array(1)), 'index'],
    ['a missing answer with an unknown reason', new ByteWriter().u8(28).fixed(file, 32).u8(2), 'unknown missing reason'],
  ])('rejects %s', (_, writer, reason) => {
    expect(decodeMessage(writer.finish())).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('takes a full 64 KiB chunk and the last possible fetch', () => {
    const chunk = encodeMessage({ type: 'chunk', file, index: 255, data: new Uint8Array(LIMITS.mediaChunkBytes) });
    expect(decodeMessage(chunk).ok).toBe(true);
    expect(decodeMessage(encodeMessage({ type: 'fetch', wall: 'bob', file, from: 240, count: 16 })).ok).toBe(true);
    expect(decodeMessage(encodeMessage({ type: 'fetch', wall: 'bob', file, from: 192, count: 64 })).ok).toBe(true);
  });
});

describe('photo post bodies (format 2)', () => {
  const { photo } = makePhoto('beach', 1);

  it('carries each photo with its thumbnail and alt text, and needs version 4 to be read', () => {
    const body = encodeBody({ kind: 'post', body: { text: '', media: [], photos: [photo] } });
    expect(body[0]).toBe(2);
    expect(decodeBody('post', body)).toEqual({ ok: true, value: { kind: 'post', body: { text: '', media: [], photos: [photo] } } });
    expect(bodyVersion('post', body)).toBe(4);
    expect(bodyVersion('wallPost', body)).toBe(4);
    expect(bodyVersion('post', encodeBody({ kind: 'post', body: { text: 'words', media: [] } }))).toBe(1);
    expect(bodyVersion('comment', encodeBody({ kind: 'comment', body: { text: 'x' } }))).toBe(1);
    expect(bodyVersion('post', null)).toBe(1);
  });

  it('refuses a thumbnail over 64 KiB, alt text over 1 500 characters, and a photo body without photos', () => {
    const big = refOf(imageBytes(LIMITS.thumbnailBytes + 1, 'big'));
    expect(() => encodeBody({ kind: 'post', body: { text: '', media: [], photos: [{ ...photo, thumbnail: big }] } })).toThrow(/thumbnail/);
    expect(() => encodeBody({ kind: 'post', body: { text: '', media: [], photos: [{ ...photo, alt: 'x'.repeat(LIMITS.altChars + 1) }] } })).toThrow(/Alt text/);
    const forged = new ByteWriter().u8(2).text('hi').list([photo], (w, p) => {
      writeMediaRef(w, p.full);
      writeMediaRef(w, big);
      w.text(p.alt);
    });
    expect(decodeBody('post', forged.finish())).toMatchObject({ ok: false, reason: expect.stringContaining('thumbnail') });
    expect(decodeBody('post', new ByteWriter().u8(2).text('hi').u16(0).finish())).toMatchObject({ ok: false, reason: expect.stringContaining('no photos') });
    expect(decodeBody('post', new ByteWriter().u8(3).text('hi').u16(0).finish())).toMatchObject({ ok: false, reason: expect.stringContaining('unknown body format 3') });
  });

  it('refuses a post with both photos and bare media references, and more than four images', () => {
    expect(() => encodeBody({ kind: 'post', body: { text: '', media: [photo.full], photos: [photo] } })).toThrow(/not both/);
    expect(() => encodeBody({ kind: 'post', body: { text: '', media: [], photos: [photo, photo, photo, photo, photo] } })).toThrow(/at most 4/);
  });
});
