import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { chunkCount, type MediaRef } from '../../core/media';
import { decodeMessage, encodeMessage, type PeerMessage } from '../../core/messages';
import type { FrameTap } from '../../core/transport';
import { makePhoto, nameOf, postPhotos } from './support/photos';
import { befriend, connect, makeUser, post, type User } from './support/world';

const decoded = (frame: Uint8Array): PeerMessage | null => {
  const m = decodeMessage(frame);
  return m.ok ? m.value : null;
};

async function friends() {
  const alice = makeUser('alice', 'alice', { media: true });
  const bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  return { alice, bob };
}

/** Byte equality without a deep diff of a megabyte array. */
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && bytesEqual(a, b);
const closed = (u: User) => u.events.find((e) => e.type === 'closed');

/** Drops every chunk of `file` the first side sends after its first `kept`, as a transport that died would. */
const cutAfter = (file: MediaRef, kept: number): FrameTap => {
  let sent = 0;
  return (frame, from) => {
    const m = decoded(frame);
    return from === 'a' && m?.type === 'chunk' && bytesEqual(m.file, file.sha256) && ++sent > kept ? [] : [frame];
  };
};

/** A session from `a` to `b` that ends (a's side closes) after `kept` chunks of `file` got through. */
async function cutShort(a: User, b: User, file: MediaRef, kept: number): Promise<void> {
  const link = await connect(a, b, { tap: cutAfter(file, kept), allowUnanswered: true });
  link.a.close(); // the transport closes: the peer's browser went away
  await link.settle();
}

/** alice, bob and carol all friends; alice's beach photo (6 chunks) is whole at bob's and 2 chunks in at carol's. */
async function carolCutShort() {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((h) => makeUser(h, h, { media: true })) as [User, User, User];
  await befriend(alice, bob);
  await befriend(alice, carol);
  await befriend(bob, carol);
  const beach = makePhoto('beach', 6);
  await postPhotos(alice, 'At the beach', [beach]);
  await connect(alice, bob);
  await cutShort(alice, carol, beach.photo.full, 2);
  return { alice, bob, carol, beach };
}

describe('photo transfer (protocol version 4)', () => {
  it('fetches a photo chunk by chunk, thumbnail first, and ends with the very bytes its author stored', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach');
    await postPhotos(alice, 'At the beach', [beach]);
    const fetches: PeerMessage[] = [];
    const chunks: number[] = [];
    const tap: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (m?.type === 'fetch' && from === 'b') fetches.push(m);
      if (m?.type === 'chunk' && from === 'a') chunks.push(m.index);
      return [frame];
    };

    await connect(alice, bob, { tap });

    const store = bob.media!.store;
    expect(same(await store.assemble(nameOf(beach.photo.full)), beach.full)).toBe(true);
    expect(same(await store.assemble(nameOf(beach.photo.thumbnail)), beach.thumbnail)).toBe(true);
    expect(await store.completeSize(nameOf(beach.photo.full))).toBe(beach.full.length);
    const stored = bob.media!.events.filter((e) => e.type === 'mediaStored').map((e) => e.file);
    expect(stored).toEqual([nameOf(beach.photo.thumbnail), nameOf(beach.photo.full)]);
    // The thumbnail, then 21 chunks: every chunk sent once, no fetch over version 5's window (syncMediaWindow.test.ts).
    expect(chunks).toHaveLength(1 + chunkCount(beach.full.length));
    expect(fetches.length).toBeGreaterThanOrEqual(2);
    for (const f of fetches) if (f.type === 'fetch') expect(f.count).toBeLessThanOrEqual(64);
    expect(closed(bob)).toBeUndefined();
  });

  it('fetches the same image once when two posts show it, and frees it when the last post is deleted', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 2);
    const first = await postPhotos(alice, 'one', [beach]);
    const second = await postPhotos(alice, 'two', [beach]);
    const link = await connect(alice, bob);
    const full = nameOf(beach.photo.full);
    expect(bob.media!.events.filter((e) => e.type === 'mediaStored' && e.file === full)).toHaveLength(1);
    expect(await bob.media!.store.wallsReferencing(full)).toEqual(['alice']);

    await post(alice, { kind: 'delete', body: null, target: first.id });
    await link.a.announce();
    await link.settle();
    expect(await bob.media!.store.completeSize(full)).toBe(beach.full.length);

    await post(alice, { kind: 'delete', body: null, target: second.id });
    await link.a.announce();
    await link.settle();
    expect(await bob.media!.store.completeSize(full)).toBeNull();
    expect(await bob.media!.store.wanted()).toEqual([]);
  });

  it.each([0, 5])('refuses chunk %i when it does not match its hash: the session closes and the bad chunk is not kept', async (bad) => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 8);
    await postPhotos(alice, 'At the beach', [beach]);
    const corrupt: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (from !== 'a' || m?.type !== 'chunk' || !bytesEqual(m.file, beach.photo.full.sha256) || m.index !== bad) return [frame];
      const data = m.data.slice();
      data[100] = data[100]! ^ 1;
      return [encodeMessage({ ...m, data })];
    };

    await connect(alice, bob, { tap: corrupt });

    expect(closed(bob)).toMatchObject({ code: 'bad_message', reason: expect.stringContaining(`chunk ${bad} of photo`) });
    const full = nameOf(beach.photo.full);
    expect(await bob.media!.store.firstMissing(full)).toBe(bad);
    expect(await bob.media!.store.completeSize(full)).toBeNull();
    expect(bob.media!.events.some((e) => e.type === 'mediaStored' && e.file === full)).toBe(false);
  });

  it('drops a file whose chunks all match but whose whole does not, without blaming the friend who sent it', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 2);
    // The author's reference names a file hash its chunk hashes do not add up to.
    const wrong = { ...beach, photo: { ...beach.photo, full: { ...beach.photo.full, sha256: new Uint8Array(32).fill(9) } } };
    await postPhotos(alice, 'At the beach', [wrong]);

    await connect(alice, bob);

    const name = nameOf(wrong.photo.full);
    expect(bob.media!.events).toContainEqual({ type: 'mediaDamaged', file: name });
    expect(await bob.media!.store.completeSize(name)).toBeNull();
    expect(await bob.media!.store.firstMissing(name)).toBe(0);
    expect(closed(bob)).toBeUndefined();
  });

  it('refuses a genuine chunk nobody asked for: the session closes and it is not kept', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 2);
    await postPhotos(alice, 'At the beach', [beach]);
    // Bob asks for the thumbnail first; alice answers with the first chunk of the full image instead.
    const swap: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (from !== 'a' || m?.type !== 'chunk' || !bytesEqual(m.file, beach.photo.thumbnail.sha256)) return [frame];
      return [encodeMessage({ type: 'chunk', file: beach.photo.full.sha256, index: 0, data: beach.full.subarray(0, 65_536) })];
    };

    await connect(alice, bob, { tap: swap });

    expect(closed(bob)).toMatchObject({ code: 'bad_message', reason: expect.stringContaining('not asked for') });
    expect(await bob.media!.store.firstMissing(nameOf(beach.photo.full))).toBe(0);
    expect(await bob.media!.store.firstMissing(nameOf(beach.photo.thumbnail))).toBe(0);
  });

  it('resumes a transfer cut half-way from the first missing chunk in the next session, and completes it', async () => {
    const { alice, bob } = await friends();
    const beach = makePhoto('beach', 20);
    await postPhotos(alice, 'At the beach', [beach]);
    await cutShort(alice, bob, beach.photo.full, 10);
    const full = nameOf(beach.photo.full);
    expect(await bob.media!.store.firstMissing(full)).toBe(10);

    const asked: number[] = [];
    const watch: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (from === 'b' && m?.type === 'fetch' && bytesEqual(m.file, beach.photo.full.sha256)) asked.push(m.from);
      return [frame];
    };
    await connect(alice, bob, { tap: watch });

    expect(asked[0]).toBe(10);
    expect(same(await bob.media!.store.assemble(full), beach.full)).toBe(true);
    expect(await bob.media!.store.completeSize(full)).toBe(beach.full.length);
  });

  it('answers "not allowed" to a friend who may not read the wall, and "not held" for a file of another wall', async () => {
    const { alice, bob } = await friends();
    const carol = makeUser('carol', 'carol', { media: true });
    await befriend(bob, carol); // carol is not alice's friend
    const beach = makePhoto('beach', 1);
    await postPhotos(alice, 'At the beach', [beach]);
    await connect(alice, bob);
    expect(await bob.media!.store.completeSize(nameOf(beach.photo.full))).not.toBeNull();

    const answers: PeerMessage[] = [];
    let injected = false;
    const probe: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (from === 'a' && m?.type === 'missing') {
        answers.push(m);
        return [];
      }
      // Once bob has answered carol's first want, carol asks for alice's photo, naming alice's wall and then her own.
      if (from === 'b' && m?.type === 'want' && !injected) {
        injected = true;
        const ask = (wall: string) => encodeMessage({ type: 'fetch', wall, file: beach.photo.full.sha256, from: 0, count: 1 });
        return [frame, ask('alice'), ask('carol'), ask('bob')];
      }
      return [frame];
    };
    const link = await connect(bob, carol, { tap: probe, allowUnanswered: true });

    expect(answers.map((m) => m.type === 'missing' && m.reason)).toEqual(['not_allowed', 'not_held', 'not_held']);
    expect(link.a.state).toBe('ready');
  });
});

describe('photos from a friend who holds the wall (version 4 with relaying)', () => {
  it('looks again for files to fetch only when a holds frame proves another wall, however many arrive', async () => {
    const { bob, carol, beach } = await carolCutShort();
    const store = carol.media!.store;
    let lookups = 0;
    const wanted = store.wanted.bind(store);
    store.wanted = () => (lookups++, wanted());
    let holds = 0;
    // bob's holds frames reach carol ten times over (a friend repeating them on purpose).
    const repeat: FrameTap = (frame, from) => (from === 'a' && decoded(frame)?.type === 'holds' ? (holds++, Array.from({ length: 10 }, () => frame.slice())) : [frame]);

    await connect(bob, carol, { tap: repeat });

    expect(holds).toBeGreaterThan(0);
    expect(lookups).toBeLessThanOrEqual(1 + holds); // at the start, and once per holds that proved a wall
    expect(lookups).toBeLessThan(10 * holds);
    expect(same(await store.assemble(nameOf(beach.photo.full)), beach.full)).toBe(true);
  });

  it('keeps syncing with the photo\'s holder when a friend forged a reference to its file first (no session closes)', async () => {
    const [alice, bob, mallory] = ['alice', 'bob', 'mallory'].map((h) => makeUser(h, h, { media: true })) as [User, User, User];
    await befriend(alice, bob);
    await befriend(bob, mallory);
    const beach = makePhoto('beach', 3);
    // mallory names alice's file hash with a size and chunk list of her own; she holds no such file.
    const forged = { ...beach.photo.full, size: beach.photo.full.size + 64 * 1024, chunks: [...beach.photo.full.chunks, beach.photo.full.chunks[0]!] };
    await post(mallory, { kind: 'post', body: { text: 'not the beach', media: [], photos: [{ ...beach.photo, full: forged }] } });
    await connect(mallory, bob);
    await postPhotos(alice, 'At the beach', [beach]);

    // The first session is cut after a chunk of the full image; the next goes on from what bob holds.
    await cutShort(alice, bob, beach.photo.full, 1);
    await postPhotos(alice, 'And again', [makePhoto('lake', 1)]);

    await connect(alice, bob);

    expect(alice.events.filter((e) => e.type === 'closed' && e.code !== null)).toEqual([]);
    expect(bob.events.filter((e) => e.type === 'closed' && e.code !== null)).toEqual([]);
    expect((await bob.replica.wallState('alice'))?.seq).toBe(2); // alice's later posts still arrive
  });

  it('finishes a photo cut short by its owner from another friend of the owner, from the first missing chunk', async () => {
    const { bob, carol, beach } = await carolCutShort();
    const full = nameOf(beach.photo.full);
    expect(await carol.media!.store.firstMissing(full)).toBe(2);

    const asked: PeerMessage[] = [];
    const watch: FrameTap = (frame, from) => {
      const m = decoded(frame);
      if (from === 'b' && m?.type === 'fetch') asked.push(m);
      return [frame];
    };
    await connect(bob, carol, { tap: watch });

    expect(asked).toMatchObject([{ wall: 'alice', from: 2, count: 5 }]);
    expect(same(await carol.media!.store.assemble(full), beach.full)).toBe(true);
    expect(await carol.media!.store.completeSize(full)).toBe(beach.full.length);
  });
});
