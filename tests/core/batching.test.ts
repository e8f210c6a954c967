import { describe, expect, it } from 'vitest';
import { writeOwnEntry } from '../../core/author';
import { LIMITS } from '../../core/limits';
import { decodeMessage, type PeerMessage } from '../../core/messages';
import { befriend, connect, deps, makeUser, post, queue, text } from './support/world';

describe('sync in bounded batches', () => {
  it('pulls a long wall in batches of at most 64 entries, one request at a time', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
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
});
