import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { decodeMessage, encodeMessage } from '../../core/messages';
import { createSyncSession } from '../../core/syncSession';
import { createMemoryTransportPair, type Transport } from '../../core/transport';
import { makePhoto, nameOf, postPhotos } from './support/photos';
import { befriend, connect, deps, makeUser, type User } from './support/world';

async function pairWithPhoto() {
  const alice = makeUser('alice', 'alice', { media: true });
  const bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  const beach = makePhoto('beach', 3);
  await postPhotos(alice, 'At the beach', [beach]);
  return { alice, bob, beach };
}

const session = (u: User, peer: string, transport: Transport) =>
  createSyncSession({
    replica: u.replica, identity: u.identity, peer, transport, localFingerprint: 'f', remoteFingerprint: 'f',
    ...deps(u), relay: u.relay, media: u.media, versions: u.versions, onEvent: (e) => u.events.push(e),
  });

describe('a version-4 session under arbitrary photo frames', () => {
  it('never throws, and never keeps a chunk it did not ask for, whatever photo frames arrive', async () => {
    const { alice, bob, beach } = await pairWithPhoto();
    await connect(alice, bob);
    const full = nameOf(beach.photo.full);
    const snapshot = async () => JSON.stringify([await bob.media!.store.wanted(), await bob.media!.store.completeSize(full), await bob.replica.entriesAfter('alice', 0, 9)],
      (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
    const before = await snapshot();
    const known = fc.constantFrom(beach.photo.full.sha256, beach.photo.thumbnail.sha256, new Uint8Array(32));
    const frame: fc.Arbitrary<Uint8Array> = fc.oneof(
      fc.record({ type: fc.constant('chunk' as const), file: known, index: fc.integer({ min: 0, max: 5 }), data: fc.uint8Array({ minLength: 1, maxLength: 64 }) }).map((m) => encodeMessage(m)),
      fc.record({ type: fc.constant('missing' as const), file: known, reason: fc.constantFrom('not_held' as const, 'not_allowed' as const) }).map((m) => encodeMessage(m)),
      fc.record({ type: fc.constant('fetch' as const), wall: fc.constantFrom('alice', 'bob', 'carol'), file: known, from: fc.integer({ min: 0, max: 8 }), count: fc.integer({ min: 1, max: 16 }) }).map((m) => encodeMessage(m)),
      fc.uint8Array({ maxLength: 80 }).map((b) => new Uint8Array([26 + (b[0] ?? 0) % 3, ...b])),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
        const [ta, tb] = createMemoryTransportPair();
        const sa = session(alice, 'bob', ta);
        const sb = session(bob, 'alice', tb);
        sa.start();
        sb.start();
        while (!(sa.settled() && sb.settled())) {
          await sa.idle();
          await sb.idle();
          await new Promise((r) => setImmediate(r));
        }
        expect(sb.state).toBe('ready');
        for (const f of frames) ta.send(f);
        await sb.idle();
        await new Promise((r) => setImmediate(r));
        await sb.idle();
        expect(await snapshot()).toBe(before);
        sa.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('backpressure', () => {
  it('sends each chunk only once the transport has drained', async () => {
    const { alice, bob, beach } = await pairWithPhoto();
    const [ta, tb] = createMemoryTransportPair();
    const waiting: (() => void)[] = [];
    const chunks: number[] = [];
    const slow: Transport = { ...ta, drained: () => new Promise<void>((resolve) => waiting.push(resolve)) };
    const watched: Transport = {
      ...slow,
      send(frame) {
        const m = decodeMessage(frame);
        if (m.ok && m.value.type === 'chunk' && bytesEqual(m.value.file, beach.photo.full.sha256)) chunks.push(m.value.index);
        ta.send(frame);
      },
    };
    const sa = session(alice, 'bob', watched);
    const sb = session(bob, 'alice', tb);
    const quiet = async () => {
      for (let i = 0; i < 20; i++) {
        await sa.idle();
        await sb.idle();
        await new Promise((r) => setImmediate(r));
      }
    };
    sa.start();
    sb.start();
    await quiet();
    expect(chunks).toEqual([]);
    expect(waiting.length).toBe(1);

    let released = 0;
    while (waiting.length > 0 && released < 50) {
      waiting.shift()!();
      released++;
      await quiet();
      // One chunk per drain: never more sent than drains granted (the thumbnail took the first).
      expect(chunks.length).toBeLessThanOrEqual(released);
    }
    expect(chunks).toEqual([0, 1, 2, 3]);
    expect(await bob.media!.store.completeSize(nameOf(beach.photo.full))).toBe(beach.full.length);
  });
});

describe('bounds on a friend\'s photo requests', () => {
  const inject = (frames: Uint8Array[]) => {
    let done = false;
    return (frame: Uint8Array, from: 'a' | 'b') => {
      const m = decodeMessage(frame);
      if (from !== 'a' || done || !m.ok || m.value.type !== 'want') return [frame];
      done = true;
      return [frame, ...frames];
    };
  };

  it('closes the session when a friend asks for more than 16 chunks at once', async () => {
    // Bob holds his own photo and his transport never drains, so what alice asked for stays owed.
    const alice = makeUser('alice', 'alice', { versions: [1, 2, 3, 4] });
    const bob = makeUser('bob', 'bob', { media: true });
    await befriend(alice, bob);
    const beach = makePhoto('beach', 20);
    await postPhotos(bob, 'At the beach', [beach]);
    const [ta, tb] = createMemoryTransportPair();
    const sa = session(alice, 'bob', ta);
    const sb = session(bob, 'alice', { ...tb, drained: () => new Promise<void>(() => {}) });
    sa.start();
    sb.start();
    while (!(sa.settled() && sb.settled())) {
      await sa.idle();
      await sb.idle();
    }
    expect(bob.events.find((e) => e.type === 'ready')).toMatchObject({ version: 4 });
    const ask = (from: number) => encodeMessage({ type: 'fetch', wall: 'bob', file: beach.photo.full.sha256, from, count: 10 });
    ta.send(ask(0));
    await sb.idle();
    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
    ta.send(ask(10));
    await sb.idle();
    expect(bob.events.find((e) => e.type === 'closed')).toMatchObject({ code: 'bad_message', reason: expect.stringContaining('more than 16 photo chunks at once') });
  });

  it('closes the session when a friend asks more than 128 times in a second', async () => {
    const { alice, bob } = await pairWithPhoto();
    bob.now = () => 1_700_000_000_000;
    const ask = encodeMessage({ type: 'fetch', wall: 'bob', file: new Uint8Array(32), from: 0, count: 1 });
    await connect(alice, bob, { tap: inject(Array.from({ length: 129 }, () => ask)), allowUnanswered: true });
    expect(bob.events.find((e) => e.type === 'closed')).toMatchObject({ code: 'bad_message', reason: expect.stringContaining('more than 128 times in a second') });
  });

  it('answers 128 requests in a second without closing', async () => {
    const { alice, bob } = await pairWithPhoto();
    bob.now = () => 1_700_000_000_000;
    const ask = encodeMessage({ type: 'fetch', wall: 'bob', file: new Uint8Array(32), from: 0, count: 1 });
    await connect(alice, bob, { tap: inject(Array.from({ length: 100 }, () => ask)), allowUnanswered: true });
    expect(bob.events.find((e) => e.type === 'closed' && e.code === 'bad_message' && /times in a second/.test(e.reason))).toBeUndefined();
  });
});
