import { describe, expect, it } from 'vitest';
import type { FeedChange } from '../../core/feed';
import { StorageFullError, type Replica, type WallWrite } from '../../core/replica';
import { encodeMessage } from '../../core/messages';
import { createSyncSession } from '../../core/syncSession';
import { createMemoryTransportPair } from '../../core/transport';
import { befriend, connect, deps, makeUser, post, queue, text } from './support/world';

/** A replica that records the feed changes of every write it commits. */
function recording(replica: Replica): { replica: Replica; feed: FeedChange[] } {
  const feed: FeedChange[] = [];
  return {
    feed,
    replica: {
      ...replica,
      async commit(write: WallWrite) {
        const result = await replica.commit(write);
        if (result.ok) feed.push(...write.feed);
        return result;
      },
    },
  };
}

describe('feed changes of a write', () => {
  it('adds a row per post, with the text and the time it shows at', async () => {
    const alice = makeUser('alice');
    const stored = await post(alice, text('hello'));
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const seen = recording(bob.replica);
    bob.replica = seen.replica;

    await connect(alice, bob);

    expect(seen.feed).toEqual([
      {
        op: 'put',
        row: { id: stored.id, wall: 'alice', author: 'alice', seq: 1, text: 'hello', shownAt: expect.any(Number), edited: false },
      },
    ]);
    const put = seen.feed[0] as Extract<FeedChange, { op: 'put' }>;
    expect(put.row.shownAt).toBeLessThanOrEqual(stored.header.createdAt);
  });

  it('edits a row, removes a deleted one, and says so with the wallUpdated event', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const first = await post(alice, text('first'));
    const second = await post(alice, text('second'));
    await post(alice, { kind: 'edit', target: first.id, body: { text: 'first, edited', media: [] } });
    await post(alice, { kind: 'delete', target: second.id, body: null });

    await connect(alice, bob);

    const updated = bob.events.filter((e) => e.type === 'wallUpdated');
    const feed = updated.flatMap((e) => (e.type === 'wallUpdated' ? e.feed : []));
    expect(feed.map((c) => c.op)).toEqual(['put', 'put', 'edit', 'remove']);
    expect(feed[2]).toEqual({ op: 'edit', id: first.id, text: 'first, edited' });
    expect(feed[3]).toEqual({ op: 'remove', id: second.id });
  });

  it('puts a wall post a friend submitted on the owner’s wall', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const id = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'hi alice', media: [] } });
    const owner = recording(alice.replica);
    alice.replica = owner.replica;

    await connect(alice, bob);

    const rows = owner.feed.flatMap((c) => (c.op === 'put' ? [c.row] : []));
    expect(rows).toEqual([expect.objectContaining({ id, wall: 'alice', author: 'bob', text: 'hi alice' })]);
  });
});

describe('what a sync session tells its owner', () => {
  it('hands the owner each submission it sealed, with its feed row, once', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const mine = await post(alice, text('mine'));
    const wallPost = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'hi alice', media: [] } });
    const comment = await queue(bob, 'alice', { kind: 'comment', target: mine.id, body: { text: 'nice' } });
    const like = await queue(bob, 'alice', { kind: 'like', target: mine.id, body: null });

    await connect(alice, bob);
    await connect(alice, bob); // bob's outbox was emptied: nothing is sealed twice

    const own = alice.events.flatMap((e) => (e.type === 'wallUpdated' && e.wall === 'alice' ? [e] : []));
    expect(own.flatMap((e) => e.added.map((a) => a.id))).toEqual([wallPost, comment, like]);
    expect(own.flatMap((e) => e.added.map((a) => [a.header.author, a.header.kind, a.seq]))).toEqual([
      ['bob', 'wallPost', 2],
      ['bob', 'comment', 3],
      ['bob', 'like', 4],
    ]);
    expect(own.flatMap((e) => e.feed)).toEqual([
      { op: 'put', row: expect.objectContaining({ id: wallPost, wall: 'alice', author: 'bob', seq: 2, text: 'hi alice' }) },
    ]);
  });

  it('reports how far the friend holds each wall, from its requests and from what was sent', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    for (const t of ['one', 'two', 'three']) await post(alice, text(t));

    await connect(alice, bob);

    const holds = alice.events.filter((e) => e.type === 'peerHolds' && e.wall === 'alice').map((e) => (e as { seq: number }).seq);
    expect(holds[0]).toBe(0);
    expect(Math.max(...holds)).toBe(3);
  });

  it('says a close came from the friend when it sent an error frame, and not when this side refused', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const [mine, theirs] = createMemoryTransportPair();
    const session = createSyncSession({
      replica: alice.replica, identity: alice.identity, peer: 'bob', transport: mine,
      localFingerprint: 'a', remoteFingerprint: 'b', ...deps(alice), onEvent: (e) => alice.events.push(e),
    });
    session.start();

    theirs.send(encodeMessage({ type: 'error', code: 'bad_auth', message: 'not you' }));
    await session.idle();
    const [garbled, garbling] = createMemoryTransportPair();
    const refusing = createSyncSession({
      replica: alice.replica, identity: alice.identity, peer: 'bob', transport: garbled,
      localFingerprint: 'a', remoteFingerprint: 'b', ...deps(alice), onEvent: (e) => alice.events.push(e),
    });
    garbling.send(new Uint8Array([99]));
    await refusing.idle();

    expect(alice.events.filter((e) => e.type === 'closed')).toEqual([
      expect.objectContaining({ code: 'bad_auth', byPeer: true }),
      expect.objectContaining({ code: 'bad_message', byPeer: false }),
    ]);
  });

  it('says a close came from a full disk, as a typed value rather than a sentence', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    await post(alice, text('too much'));
    const full = bob.replica;
    bob.replica = {
      ...full,
      commit: async () => {
        throw new StorageFullError();
      },
    };

    await connect(alice, bob, { allowUnanswered: true });

    expect(bob.events.find((e) => e.type === 'closed')).toMatchObject({ storageFull: true, byPeer: false });
  });
});
