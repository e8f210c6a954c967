import { describe, expect, it } from 'vitest';
import { buildWallView } from '../../core/wallView';
import { writeOwnEntry } from '../../core/author';
import { entryId } from '../../core/entry';
import { befriend, connect, deps, makeUser, post, queue, text } from './support/world';

describe('what a wall shows', () => {
  it('keeps likes idempotent per author and lets the latest like or unlike decide', async () => {
    const alice = makeUser('alice');
    const p = await post(alice, text('hi'));
    await post(alice, { kind: 'like', target: p.id, body: null });
    await post(alice, { kind: 'like', target: p.id, body: null });
    expect(buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 10)).posts[0]?.likes).toEqual(['alice']);
    await post(alice, { kind: 'unlike', target: p.id, body: null });
    expect(buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 10)).posts[0]?.likes).toEqual([]);
    await post(alice, { kind: 'like', target: p.id, body: null });
    expect(buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 10)).posts[0]?.likes).toEqual(['alice']);
  });

  it('applies edits in sequence order, removes deleted posts with their comments, and shows the latest profile', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const keep = await post(alice, text('keep'));
    const drop = await post(alice, text('drop'));
    await post(alice, { kind: 'profile', body: { displayName: 'Al', about: '' } });
    await queue(bob, 'alice', { kind: 'comment', target: drop.id, body: { text: 'on the dropped one' } });
    await queue(bob, 'alice', { kind: 'like', target: keep.id, body: null });
    await connect(alice, bob);
    await post(alice, { kind: 'edit', target: keep.id, body: { text: 'kept, v2', media: [] } });
    await post(alice, { kind: 'edit', target: keep.id, body: { text: 'kept, v3', media: [] } });
    await post(alice, { kind: 'delete', target: drop.id, body: null });
    await post(alice, { kind: 'profile', body: { displayName: 'Alice', about: 'hello' } });
    await connect(alice, bob);
    const view = buildWallView('alice', await bob.replica.entriesAfter('alice', 0, 20));
    expect(view.posts.map((p) => [p.text, p.edited, p.likes])).toEqual([['kept, v3', true, ['bob']]]);
    expect(view.profile).toEqual({ displayName: 'Alice', about: 'hello' });
  });

  it('orders edits by sequence, never by the author\'s clock', async () => {
    const alice = makeUser('alice');
    const p = await post(alice, text('v1'));
    await post(alice, { kind: 'edit', target: p.id, body: { text: 'v2', media: [] } });
    // The clock went back (or lies): the later edit claims to be older than the first.
    const early = await writeOwnEntry(alice.replica, alice.identity, { kind: 'edit', target: p.id, body: { text: 'v3', media: [] } }, { randomBytes: alice.randomBytes, now: () => 1 });
    expect(early.ok).toBe(true);
    expect(buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 10)).posts[0]?.text).toBe('v3');
  });

  it('shows a future-dated entry at the time it arrived', async () => {
    const alice = makeUser('alice');
    const p = await post(alice, text('from the future'));
    const stored = { ...p, header: { ...p.header, createdAt: p.receivedAt + 86_400_000 } };
    expect(buildWallView('alice', [stored]).posts[0]?.shownAt).toBe(p.receivedAt);
  });

  it('refuses a comment on a deleted post and tells the author', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const p = await post(alice, text('soon gone'));
    await connect(alice, bob);
    const late = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'too late' } });
    await post(alice, { kind: 'delete', target: p.id, body: null });
    await connect(alice, bob);
    const refused = bob.events.find((e) => e.type === 'undeliverable');
    expect(refused).toMatchObject({ type: 'undeliverable', wall: 'alice', id: late, reason: 'its target was deleted' });
    // The event carries what was refused, so the author can be shown it after it left the outbox.
    expect(refused?.type === 'undeliverable' && refused.entry && entryId(refused.entry.header)).toBe(late);
    expect(await bob.replica.outbox('alice')).toEqual([]);
  });

  it('closes a wall after goodbye: nothing more is accepted, the farewell is shown', async () => {
    const alice = makeUser('alice');
    await post(alice, text('last post'));
    await post(alice, { kind: 'goodbye', body: { text: 'thanks, all' } });
    const after = await writeOwnEntry(alice.replica, alice.identity, text('one more'), deps(alice));
    expect(after).toEqual({ ok: false, reason: 'the wall has said goodbye' });
    const view = buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 10));
    expect(view.farewell).toBe('thanks, all');
  });
});
