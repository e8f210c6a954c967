import { describe, expect, it } from 'vitest';
import { pendingChanges } from '../../core/pending';
import { buildThread } from '../../core/thread';
import { buildWallView } from '../../core/wallView';
import { befriend, connect, makeUser, post, queue, text } from './support/world';

describe('the thread under a post', () => {
  it('matches the whole wall’s view: comments oldest first, edits, deletes and likes of comments applied', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const p = await post(alice, text('thread'));
    await connect(alice, bob);
    const first = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'first' } });
    const second = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'second' } });
    await queue(bob, 'alice', { kind: 'edit', target: first, body: { text: 'first, edited', media: [] } });
    await queue(bob, 'alice', { kind: 'like', target: p.id, body: null });
    await queue(bob, 'alice', { kind: 'like', target: first, body: null });
    await connect(alice, bob);
    await post(alice, { kind: 'like', target: first, body: null });
    await post(alice, { kind: 'delete', target: second, body: null });
    await post(alice, text('another post'));

    const targeting = await alice.replica.entriesTargeting('alice', p.id);
    const ofComments = [...(await alice.replica.entriesTargeting('alice', first)), ...(await alice.replica.entriesTargeting('alice', second))];
    const thread = buildThread(p.id, [...ofComments, ...targeting].reverse());
    const wall = buildWallView('alice', await alice.replica.entriesAfter('alice', 0, 50)).posts.find((x) => x.id === p.id)!;

    expect(thread.likes).toEqual(['bob']);
    expect(thread.comments.map((c) => [c.id, c.text, c.edited, c.likes])).toEqual([[first, 'first, edited', true, ['alice', 'bob']]]);
    expect(thread.comments).toEqual(wall.comments);
  });

  it('reads one’s queued entries in queue order: the last like or unlike and the last edit win', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const p = await post(alice, text('queued'));
    await connect(alice, bob);
    const c = await queue(bob, 'alice', { kind: 'comment', target: p.id, body: { text: 'c1' } });
    await queue(bob, 'alice', { kind: 'like', target: p.id, body: null });
    await queue(bob, 'alice', { kind: 'unlike', target: p.id, body: null });
    await queue(bob, 'alice', { kind: 'edit', target: c, body: { text: 'c2', media: [] } });
    await queue(bob, 'alice', { kind: 'edit', target: c, body: { text: 'c3', media: [] } });
    const w = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'hi', media: [] } });
    await queue(bob, 'alice', { kind: 'delete', target: w, body: null });

    const changes = pendingChanges(await bob.replica.outbox('alice'));

    expect(changes.comments.map((x) => [x.id, x.text, x.target])).toEqual([[c, 'c1', p.id]]);
    expect([...changes.likes]).toEqual([[p.id, false]]);
    expect([...changes.edits]).toEqual([[c, 'c3']]);
    expect(changes.wallPosts.map((x) => x.id)).toEqual([w]);
    expect([...changes.deletes]).toEqual([w]);
  });
});
