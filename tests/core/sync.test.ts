import { describe, expect, it } from 'vitest';
import { befriend, connect, makeUser, post, queue, text } from './support/world';
import { buildWallView } from '../../core/wallView';

describe('sync session', () => {
  it('brings a friend\'s posts and a comment written offline onto both replicas', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const first = await post(alice, text('hello'));
    await queue(bob, 'alice', { kind: 'comment', target: first.id, body: { text: 'hi alice' } });
    await connect(alice, bob);
    const a = await alice.replica.entriesAfter('alice', 0, 100);
    const b = await bob.replica.entriesAfter('alice', 0, 100);
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a).toHaveLength(2);
    const view = buildWallView('alice', b);
    expect(view.posts[0]?.text).toBe('hello');
    expect(view.posts[0]?.comments.map((c) => [c.author, c.text])).toEqual([['bob', 'hi alice']]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
  });
});
