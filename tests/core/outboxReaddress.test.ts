import { describe, expect, it } from 'vitest';
import { rotateKey } from '../../core/author';
import { decodeBody } from '../../core/body';
import { toHex } from '../../core/bytes';
import { acceptKeyChange } from '../../core/friendship';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import type { StoredEntry } from '../../core/replica';
import type { SyncEvent } from '../../core/syncSession';
import { befriend, connect, deps, makeUser, post, queue, text, type User } from './support/world';

/** What a log says, entry by entry: kind, text, and the index in the same list of the entry it targets. */
function readable(log: readonly StoredEntry[]): [string, string | null, number | null][] {
  const ids = log.map((e) => e.id);
  return log.map((e) => {
    const body = e.body ? decodeBody(e.header.kind, e.body) : null;
    const content: unknown = body?.ok ? body.value.body : null;
    const textOf = typeof content === 'object' && content !== null && 'text' in content ? String(content.text) : null;
    const target = e.header.target ? ids.indexOf(toHex(e.header.target)) : null;
    return [e.header.kind, textOf, target];
  });
}

async function friends(): Promise<[User, User]> {
  const alice = makeUser('alice');
  const bob = makeUser('bob');
  await befriend(alice, bob);
  return [alice, bob];
}

/** Alice loses her browser without an export: a new key, an empty replica, bob still her friend. */
function reinstall(alice: User): void {
  alice.identity = createIdentity('alice', alice.randomBytes);
  alice.replica = createMemoryReplica();
}

function keyChange(bob: User): Extract<SyncEvent, { type: 'keyChanged' }> {
  const changed = bob.events.find((e) => e.type === 'keyChanged');
  if (changed?.type !== 'keyChanged') throw new Error('no key change reported');
  return changed;
}

describe('re-addressing the outbox after a friend’s key change (docs/protocol.md §4.2)', () => {
  it('re-signs what was queued for the new key, in order, retargets queued targets and hands back what targets the dropped wall', async () => {
    const [alice, bob] = await friends();
    const oldPost = await post(alice, text('on the old wall'));
    await connect(alice, bob);
    // Bob writes while alice is away: a post on her wall, his edit of it, a comment on it, and a
    // comment and a like on her old post, then a like of that comment.
    const wallPost = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'hello while you were away', media: [] } });
    await queue(bob, 'alice', { kind: 'edit', target: wallPost, body: { text: 'hello while you were away (edited)', media: [] } });
    const oldComment = await queue(bob, 'alice', { kind: 'comment', target: oldPost.id, body: { text: 'on your old post' } });
    await queue(bob, 'alice', { kind: 'comment', target: wallPost, body: { text: 'and a comment on mine' } });
    await queue(bob, 'alice', { kind: 'like', target: oldPost.id, body: null });
    await queue(bob, 'alice', { kind: 'like', target: oldComment, body: null });
    reinstall(alice);
    await alice.replica.putFriend({ handle: 'bob', key: bob.identity.publicKey, rotations: [], since: 0 });
    await connect(alice, bob);

    const dropped = await acceptKeyChange(bob.replica, bob.identity, 'alice', keyChange(bob).key, bob.now);

    expect(dropped.map((i) => [i.entry.header.kind, i.entry.header.target && toHex(i.entry.header.target)])).toEqual([
      ['comment', oldPost.id],
      ['like', oldPost.id],
      ['like', oldComment],
    ]);
    const queued = await bob.replica.outbox('alice');
    expect(queued.map((i) => i.entry.header.kind)).toEqual(['wallPost', 'edit', 'comment']);
    expect(queued.every((i) => toHex(i.entry.header.wallKey) === toHex(alice.identity.publicKey))).toBe(true);
    expect(queued[0]!.id).not.toBe(wallPost);
    expect(queued.slice(1).map((i) => toHex(i.entry.header.target!))).toEqual([queued[0]!.id, queued[0]!.id]);
    expect(await bob.replica.wallState('alice')).toBeNull();

    const link = await connect(alice, bob);
    expect(link.b.state).toBe('ready');
    expect(readable(await alice.replica.entriesAfter('alice', 0, 10))).toEqual([
      ['wallPost', 'hello while you were away', null],
      ['edit', 'hello while you were away (edited)', 0],
      ['comment', 'and a comment on mine', 0],
    ]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
    expect(bob.events.some((e) => e.type === 'undeliverable')).toBe(false);
  });

  it('keeps the old pin and the queue untouched until the key change is accepted', async () => {
    const [alice, bob] = await friends();
    await connect(alice, bob);
    const pinned = (await bob.replica.friend('alice'))!.key;
    await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'waiting', media: [] } });
    const before = await bob.replica.outbox('alice');
    reinstall(alice);
    await alice.replica.putFriend({ handle: 'bob', key: bob.identity.publicKey, rotations: [], since: 0 });

    const link = await connect(alice, bob);

    expect(link.b.state).toBe('closed');
    expect(keyChange(bob).key).toEqual(alice.identity.publicKey);
    expect((await bob.replica.friend('alice'))!.key).toEqual(pinned);
    expect(await bob.replica.outbox('alice')).toEqual(before);
    expect(await alice.replica.entriesAfter('alice', 0, 10)).toEqual([]);
  });

  it('after a rotation re-signs the queue, keeping targets on the continued wall and retargeting queued ones', async () => {
    const [alice, bob] = await friends();
    const oldPost = await post(alice, text('before the rotation'));
    await connect(alice, bob);
    const wallPost = await queue(bob, 'alice', { kind: 'wallPost', body: { text: 'queued', media: [] } });
    await queue(bob, 'alice', { kind: 'comment', target: oldPost.id, body: { text: 'on the sealed post' } });
    await queue(bob, 'alice', { kind: 'edit', target: wallPost, body: { text: 'queued (edited)', media: [] } });
    const rotated = await rotateKey(alice.replica, alice.identity, deps(alice));
    if (!rotated.ok) throw new Error(rotated.reason);
    alice.identity = rotated.value;

    const link = await connect(alice, bob);

    expect(link.b.state).toBe('ready');
    expect(bob.events.some((e) => e.type === 'keyRotated')).toBe(true);
    expect(readable(await alice.replica.entriesAfter('alice', 0, 10))).toEqual([
      ['post', 'before the rotation', null],
      ['rotate', null, null],
      ['wallPost', 'queued', null],
      ['comment', 'on the sealed post', 0],
      ['edit', 'queued (edited)', 2],
    ]);
    expect(await bob.replica.outbox('alice')).toEqual([]);
    expect(bob.events.some((e) => e.type === 'undeliverable')).toBe(false);
  });
});
