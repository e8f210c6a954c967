import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '../../core/author';
import { LIMITS } from '../../core/limits';
import { decodeMessage, encodeMessage, type PeerMessage } from '../../core/messages';
import { befriend, connect, deps, makeUser, post, queue, text } from './support/world';

/** Every frame of a session, decoded, with which side sent it. */
function recorder() {
  const frames: { from: string; m: PeerMessage }[] = [];
  const tap = (f: Uint8Array, from: string) => {
    const m = decodeMessage(f);
    if (m.ok) frames.push({ from, m: m.value });
    return [f];
  };
  const batchesOf = (wall: string) =>
    frames.filter((f) => f.from === 'a' && f.m.type === 'batch' && f.m.wall === wall).map((f) => f.m as Extract<PeerMessage, { type: 'batch' }>);
  return { frames, tap, batchesOf };
}

describe('sync in bounded batches', () => {
  it('fills a batch up to its frame in version 3: 150 short posts travel in one batch', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 150; i++) await post(alice, text(`post ${i}`));
    const { frames, tap, batchesOf } = recorder();

    const link = await connect(alice, bob, { tap });

    expect(bob.events.find((e) => e.type === 'ready')).toMatchObject({ version: 3 });
    expect(batchesOf('alice').map((b) => b.entries.length)).toEqual([150]);
    const want = frames.find((f) => f.from === 'b' && f.m.type === 'want' && f.m.wall === 'alice')?.m;
    expect(want).toMatchObject({ afterSeq: 0, max: LIMITS.byteBatchEntries });
    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 150 });
    link.a.close();
  }, 30_000);

  it('stops a version-3 batch at its frame, not at an entry count', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    // About 3 KB each: 85 or so fill a 256 KiB frame, more than version 2's 64 and fewer than 150.
    for (let i = 0; i < 150; i++) await post(alice, text(`${i} `.padEnd(3_000, 'x')));
    const { tap, batchesOf } = recorder();
    const sizes: number[] = [];

    await connect(alice, bob, { tap: (f, from) => (sizes.push(f.length), tap(f, from)) });

    const counts = batchesOf('alice').map((b) => b.entries.length);
    expect(counts.length).toBe(2);
    expect(counts[0]).toBeGreaterThan(LIMITS.batchEntries);
    expect(counts[0]! + counts[1]!).toBe(150);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMITS.frameBytes);
    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 150 });
  }, 30_000);

  it('pulls from a version-2 peer in batches of at most 64 entries, one request at a time', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob', 'bob', { versions: [1, 2] });
    await befriend(alice, bob);
    for (let i = 0; i < 150; i++) await post(alice, text(`post ${i}`));
    const frames: { from: string; m: PeerMessage }[] = [];
    await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (m.ok) frames.push({ from, m: m.value });
        return [f];
      },
    });
    const batches = frames.filter((f) => f.from === 'a' && f.m.type === 'batch' && f.m.wall === 'alice').map((f) => f.m as Extract<PeerMessage, { type: 'batch' }>);
    expect(batches.map((b) => b.entries.length)).toEqual([64, 64, 22]);
    const wants = frames.filter((f) => f.from === 'b' && f.m.type === 'want' && f.m.wall === 'alice').map((f) => (f.m as { afterSeq: number }).afterSeq);
    expect(wants).toEqual([0, 64, 128]);
    // Backpressure: each request follows the previous batch, never more than one in flight.
    const order = frames
      .filter((f) => (f.from === 'b' && f.m.type === 'want') || (f.from === 'a' && f.m.type === 'batch'))
      .filter((f) => 'wall' in f.m && f.m.wall === 'alice')
      .map((f) => f.m.type);
    expect(order).toEqual(['want', 'batch', 'want', 'batch', 'want', 'batch']);
    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 150 });
  }, 30_000); // 150 signed and sealed entries: about 3 s alone, more on a busy shared machine

  it.each([
    ['a want for more than 64 entries', 'b', (m: PeerMessage): PeerMessage => (m.type === 'want' ? { ...m, max: LIMITS.batchEntries + 1 } : m)],
    ['a batch of more than 64 entries', 'a', (m: PeerMessage): PeerMessage => (m.type === 'batch' && m.entries.length ? { ...m, entries: [...m.entries, m.entries[0]!] } : m)],
  ] as const)('closes a version-2 session on %s', async (_, liar, change) => {
    const alice = makeUser('alice', 'alice', { versions: [1, 2] });
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < LIMITS.batchEntries; i++) await post(alice, text(`post ${i}`));

    await connect(alice, bob, {
      allowUnanswered: true,
      tap: (f, from) => {
        const m = decodeMessage(f);
        return from === liar && m.ok ? [encodeMessage(change(m.value))] : [f];
      },
    });

    const honest = liar === 'a' ? bob : alice;
    expect(honest.events.find((e) => e.type === 'ready')).toMatchObject({ version: 2 });
    expect(honest.events.find((e) => e.type === 'closed')).toMatchObject({ code: 'bad_message', byPeer: false });
    expect(await bob.replica.wallState('alice')).toBeNull();
  });

  it('reports each stored batch with its entries, its frame size and where its time went', async () => {
    const alice = makeUser('alice', 'alice', { versions: [1, 2] }); // batches of 64
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 70; i++) await post(alice, text(`post ${i}`));
    const batchBytes: number[] = [];
    await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (from === 'a' && m.ok && m.value.type === 'batch' && m.value.wall === 'alice' && m.value.entries.length > 0) batchBytes.push(f.length);
        return [f];
      },
    });
    const stored = bob.events.flatMap((e) => (e.type === 'batchStored' && e.wall === 'alice' ? [e] : []));
    expect(stored.map((e) => e.entries)).toEqual([64, 6]);
    expect(stored.map((e) => e.bytes)).toEqual(batchBytes);
    for (const e of stored) for (const ms of [e.waitMs, e.checkMs, e.storeMs]) expect(ms).toBeGreaterThanOrEqual(0);
    // Reported before the wall is up to date, so a catch-up's figures are complete when that comes.
    const upToDate = bob.events.findIndex((e) => e.type === 'upToDate' && e.wall === 'alice');
    expect(bob.events.lastIndexOf(stored.at(-1)!)).toBeLessThan(upToDate);
  }, 30_000);

  it('packs large entries so that no frame exceeds 256 KiB', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 20; i++) await post(alice, text('😀'.repeat(LIMITS.postChars)));
    const sizes: number[] = [];
    const counts: number[] = [];
    await connect(alice, bob, {
      tap: (f, from) => {
        sizes.push(f.length);
        const m = decodeMessage(f);
        if (from === 'a' && m.ok && m.value.type === 'batch' && m.value.wall === 'alice') counts.push(m.value.entries.length);
        return [f];
      },
    });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMITS.frameBytes);
    // About 40 KB per entry: six fit under the frame limit, so 20 entries take four batches.
    expect(counts).toEqual([6, 6, 6, 2]);
    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 20 });
  });

  it('delivers at least once and stores once: a resubmitted entry is not sealed twice', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const p = await post(alice, text('once'));
    const id = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'me too' } });
    // The acknowledgement and the announcement are lost: bob cannot know the comment arrived.
    await connect(alice, bob, {
      tap: (f, from) => {
        const m = decodeMessage(f);
        return from === 'a' && m.ok && (m.value.type === 'submitted' || m.value.type === 'notify') ? [] : [f];
      },
      allowUnanswered: true,
    });
    expect((await bob.replica.outbox('alice')).map((i) => i.id)).toEqual([id]);
    await connect(alice, bob);
    expect((await alice.replica.entriesAfter('alice', 0, 10)).map((e) => e.id)).toEqual([p.id, id]);
    expect((await bob.replica.entriesAfter('alice', 0, 10)).map((e) => e.id)).toEqual([p.id, id]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
  });

  it('refuses a post over the text limit with a message a person can act on', async () => {
    const alice = makeUser('alice');
    const r = await writeOwnEntry(alice.replica, alice.identity, text('x'.repeat(LIMITS.postChars + 1)), deps(alice));
    expect(r).toEqual({ ok: false, reason: 'Post text is longer than 10000 characters.' });
    expect(await alice.replica.wallState('alice')).toBeNull();
  });

  // Found by review: both loops got 16 times heavier with version 3's full-frame batches.
  it('closes a session whose friend asks again and again for entries it was sent', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 600; i++) await post(alice, text(`p${i}`));
    let batches = 0;
    let duplicated = false;

    await connect(alice, bob, {
      allowUnanswered: true,
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (!m.ok) return [f];
        if (from === 'a' && m.value.type === 'batch' && m.value.wall === 'alice') return ++batches === 1 ? [f] : [];
        if (from === 'b' && m.value.type === 'want' && m.value.wall === 'alice' && !duplicated) {
          duplicated = true;
          return Array.from({ length: 50 }, () => f); // the same 20-byte want, 50 times
        }
        return [f];
      },
    });

    expect(batches).toBe(17); // the first answer, then 16 re-asks at most
    expect(alice.events.find((e) => e.type === 'closed')).toMatchObject({ code: 'bad_message', reason: '@bob asked again and again for entries it was already sent.' });
  }, 60_000);

  it('stops asking a friend whose batches bring nothing new, whatever head it claims', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (let i = 0; i < 150; i++) await post(alice, text(`post ${i}`));
    let first: Extract<PeerMessage, { type: 'batch' }> | null = null;
    let wants = 0;

    await connect(alice, bob, {
      allowUnanswered: true,
      tap: (f, from) => {
        const m = decodeMessage(f);
        if (!m.ok) return [f];
        if (from === 'b' && m.value.type === 'want' && m.value.wall === 'alice') wants++;
        if (from !== 'a' || m.value.type !== 'batch' || m.value.wall !== 'alice') return [f];
        // alice (lying) claims a far head and answers every want with the same 150 entries.
        first ??= m.value;
        return [encodeMessage({ ...first, headSeq: 1_000_000 })];
      },
    });

    expect(await bob.replica.wallState('alice')).toMatchObject({ seq: 150 });
    expect(wants).toBe(2); // the first want, one more after real progress, then no more
  }, 60_000);
});

