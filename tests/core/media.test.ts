import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody } from '../../core/body';
import { LIMITS } from '../../core/limits';
import { mediaRefFor, verifyMediaChunk } from '../../core/media';
import { befriend, connect, makeUser, post } from './support/world';
import { buildWallView } from '../../core/wallView';

const image = new Uint8Array(LIMITS.mediaChunkBytes * 2 + 100).map((_, i) => (i * 7) % 251);

describe('media references', () => {
  it('describes an image by hash, size, type and one hash per 64 KiB chunk', () => {
    const ref = mediaRefFor(image, 'image/png');
    if (!ref.ok) throw new Error(ref.reason);
    expect(ref.value.size).toBe(image.length);
    expect(ref.value.chunks).toHaveLength(3);
    const chunks = [0, 1, 2].map((i) => image.subarray(i * LIMITS.mediaChunkBytes, (i + 1) * LIMITS.mediaChunkBytes));
    chunks.forEach((c, i) => expect(verifyMediaChunk(ref.value, i, c)).toBe(true));
    expect(verifyMediaChunk(ref.value, 0, chunks[1]!)).toBe(false);
    expect(verifyMediaChunk(ref.value, 2, chunks[2]!.subarray(1))).toBe(false);
    expect(verifyMediaChunk(ref.value, 3, chunks[2]!)).toBe(false);
  });

  it('refuses empty and oversized images', () => {
    expect(mediaRefFor(new Uint8Array(0), 'image/png').ok).toBe(false);
    expect(mediaRefFor(new Uint8Array(LIMITS.mediaBytes + 1), 'image/png')).toMatchObject({ ok: false, reason: 'Images can be at most 16 MiB.' });
  });

  it('rejects a reference whose chunk list does not match its size', () => {
    const ref = mediaRefFor(image, 'image/jpeg');
    if (!ref.ok) throw new Error(ref.reason);
    const body = encodeBody({ kind: 'post', body: { text: '', media: [{ ...ref.value, chunks: ref.value.chunks.slice(1) }] } });
    expect(decodeBody('post', body)).toMatchObject({ ok: false, reason: expect.stringContaining('chunk count') });
  });

  it('travels with a post to a friend', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const ref = mediaRefFor(image, 'image/webp');
    if (!ref.ok) throw new Error(ref.reason);
    await post(alice, { kind: 'post', body: { text: '', media: [ref.value] } });
    await connect(alice, bob);
    expect(buildWallView('alice', await bob.replica.entriesAfter('alice', 0, 10)).posts[0]?.media).toEqual([ref.value]);
  });
});
