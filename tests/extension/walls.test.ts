import { describe, expect, it, vi } from 'vitest';
import { queueForFriend, signDraft } from '@/core/author';
import { createIdentity } from '@/core/identity';
import { planIngest } from '@/core/ingest';
import { encodeMessage } from '@/core/messages';
import { sealOf, signSeal } from '@/core/seal';
import { pureVerifier, type Verifier } from '@/core/verifier';
import type { FeedPost } from '@/platform/social/social-views';
import { createSocialNetwork, type User } from './support/social-network';

/** What `users` list for their friend, sampled every 250 ms over `ms` of the network's fake time. */
async function presencesOver(net: ReturnType<typeof createSocialNetwork>, users: readonly User[], ms: number): Promise<Set<string>[]> {
  const seen = users.map(() => new Set<string>());
  for (let t = 0; t < ms; t += 250) {
    await net.time.advance(250);
    for (const [i, user] of users.entries()) seen[i]!.add((await user.service.state()).friends[0]?.presence ?? 'none');
  }
  return seen;
}

async function friends() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  await net.goOnline(alice);
  await net.goOnline(bob);
  await net.befriend(alice, bob);
  return { net, alice, bob };
}

describe('posting and sync', () => {
  it('signs a post into the own wall and shows it in the own feed', async () => {
    const { alice } = await friends();

    const post = await alice.service.post('first post');

    expect(post).toMatchObject({ author: 'alice', wall: 'alice', seq: 1, text: 'first post' });
    expect(await alice.service.feed(10)).toMatchObject([{ id: post.id, text: 'first post' }]);
    expect((await alice.service.replica.wallState('alice'))?.seq).toBe(1);
  });

  it('checks the signatures of its own posts and of what it syncs through the verifier it is given', async () => {
    const checked = new Map<string, string[]>();
    const verifier = (handle: string): Verifier => ({
      verify(context, ...rest) {
        checked.set(handle, [...(checked.get(handle) ?? []), context]);
        return pureVerifier.verify(context, ...rest);
      },
    });
    const net = createSocialNetwork({ verifier });
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.befriend(alice, bob);
    await net.settle();
    checked.clear();

    await alice.service.post('checked twice');
    await net.settle();

    expect(checked.get('alice')).toEqual(expect.arrayContaining(['peerwall/v1/seal', 'peerwall/v1/entry']));
    expect(checked.get('bob')).toEqual(expect.arrayContaining(['peerwall/v1/seal', 'peerwall/v1/entry']));
  });

  it('refuses an empty or over-long post with a sentence and stores nothing', async () => {
    const { alice } = await friends();

    await expect(alice.service.post('   ')).rejects.toMatchObject({ code: 'invalid_post', message: 'Write something first.' });
    await expect(alice.service.post('x'.repeat(10_001))).rejects.toMatchObject({
      code: 'invalid_post',
      message: expect.stringContaining('longer than 10000 characters'),
    });
    expect(await alice.service.feed(10)).toEqual([]);
  });

  it('delivers a post to an online friend at once and notifies them', async () => {
    const { net, alice, bob } = await friends();

    const post = await alice.service.post('hello bob');
    await net.settle();

    expect(await bob.service.feed(10)).toMatchObject([{ id: post.id, author: 'alice', text: 'hello bob' }]);
    expect(bob.notices).toContainEqual({ kind: 'post', title: '@alice posted', message: 'hello bob', postId: post.id, wall: 'alice' });
    expect((await alice.service.state()).friends).toMatchObject([{ handle: 'bob', presence: 'online', waiting: 0 }]);
  });

  it('hands open pages the new row of a friend’s post and of one’s own, so they need not reload the feed', async () => {
    const { net, alice, bob } = await friends();
    await net.time.advance(1000);
    bob.changeLog.length = 0;
    alice.changeLog.length = 0;

    const post = await alice.service.post('row, not reload');
    await net.settle();
    await net.time.advance(150);

    const toBob = bob.changeLog.flatMap((c) => c.posts);
    expect(toBob).toEqual([{ ...post, waitingFor: [] }]);
    expect(bob.changeLog.some((c) => c.feed)).toBe(false);
    expect(alice.changeLog.flatMap((c) => c.posts)).toEqual([post]);
    expect(post.waitingFor).toEqual([]);
  });

  it('catches up an offline friend with every post, each once, when they come back', async () => {
    const { net, alice, bob } = await friends();
    await net.goOffline(bob);

    for (const text of ['one', 'two', 'three']) {
      await alice.service.post(text);
      await net.time.advance(1000);
    }
    await net.settle();
    const waiting = await alice.service.feed(10);
    expect(waiting.map((p) => p.waitingFor)).toEqual([['bob'], ['bob'], ['bob']]);
    expect((await alice.service.state()).friends).toMatchObject([{ handle: 'bob', presence: 'offline', waiting: 3 }]);

    await net.goOnline(bob);
    await net.settle();

    const feed = await bob.service.feed(10);
    expect(feed.map((p) => p.text)).toEqual(['three', 'two', 'one']);
    expect((await alice.service.feed(10)).map((p) => p.waitingFor)).toEqual([[], [], []]);
    expect((await alice.service.state()).friends).toMatchObject([{ waiting: 0 }]);

    // Meeting again sends nothing twice.
    await net.goOffline(bob);
    await net.goOnline(bob);
    expect((await bob.service.feed(10)).map((p) => p.text)).toEqual(['three', 'two', 'one']);
  });

  it('counts every caught-up post for the badge, though only a few raise their own notification', async () => {
    const { net, alice, bob } = await friends();
    await net.goOffline(bob);
    for (let i = 1; i <= 5; i++) await alice.service.post(`post ${i}`);

    await net.goOnline(bob);
    await net.settle();

    const posts = bob.notices.filter((n) => n.kind === 'post');
    expect(posts).toHaveLength(4);
    expect(posts.reduce((sum, n) => sum + (n.count ?? 1), 0)).toBe(5);
  });

  it('tells a wall’s owner a friend wrote on it once the owner seals it, and open pages show it', async () => {
    const { net, alice, bob } = await friends();
    await net.time.advance(1000);
    alice.changeLog.length = 0;
    alice.notices.length = 0;

    const receipt = await bob.service.writeOnWall('alice', 'happy birthday!');
    await net.settle();
    await net.time.advance(150);

    expect(alice.notices).toEqual([{ kind: 'wallPost', title: '@bob wrote on your wall', message: 'happy birthday!', postId: receipt.id, wall: 'alice' }]);
    // Open pages insert the row or reload the feed, which holds it.
    expect(alice.changeLog.some((c) => c.feed || c.posts.some((p) => p.id === receipt.id))).toBe(true);
    expect((await alice.service.feed(10)).map((p) => [p.id, p.author, p.text])).toEqual([[receipt.id, 'bob', 'happy birthday!']]);
    expect(bob.notices.filter((n) => n.postId === receipt.id)).toEqual([]);
  });

  it('merges own and friends’ walls newest first', async () => {
    const { net, alice, bob } = await friends();

    await alice.service.post('a1');
    await net.time.advance(1000);
    await bob.service.post('b1');
    await net.time.advance(1000);
    await alice.service.post('a2');
    await net.settle();

    expect((await bob.service.feed(10)).map((p) => `${p.author}:${p.text}`)).toEqual(['alice:a2', 'bob:b1', 'alice:a1']);
    expect((await bob.service.feed(2)).map((p) => p.text)).toEqual(['a2', 'b1']);
    expect((await bob.service.feed(10, 'alice')).map((p) => p.text)).toEqual(['a2', 'a1']);
  });

  it('keeps post text as plain text, markup included', async () => {
    const { net, alice, bob } = await friends();

    await alice.service.post('<img src=x onerror=alert(1)>');
    await net.settle();

    expect((await bob.service.feed(1))[0]?.text).toBe('<img src=x onerror=alert(1)>');
  });

  it('shows a friend the broker reports online but who cannot be reached as “can’t connect”', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    await net.goOnline(alice);
    await net.goOnline(bob);
    net.iceBlocked.add('alice+bob');
    await net.befriend(alice, bob);

    // alice (the smaller handle) dials at once, bob 3 s after presence; each dial gives up after 15 s.
    // After a minute of failures each says "Can't connect" between attempts.
    const [aliceSaw, bobSaw] = await presencesOver(net, [alice, bob], 150_000);

    expect([...aliceSaw!].sort()).toEqual(['cant_connect', 'connecting']);
    expect([...bobSaw!].sort()).toEqual(['cant_connect', 'connecting']);
  });

  it('shows “can’t connect” on the answering side too when an incoming connection never opens', async () => {
    const { net, alice, bob } = await friends();
    await net.goOffline(alice);
    net.iceBlocked.add('alice+bob');
    await net.goOnline(alice); // alice (the smaller handle) dials; ICE never completes
    const { SyncLink } = await import('./support/social-network');
    // PeerJS hands bob the connection as soon as the offer arrives, before ICE.
    bob.service.incoming(new SyncLink('alice', 'fp-bob', 'fp-alice'));

    const [bobSaw] = await presencesOver(net, [bob], 150_000);

    expect(bobSaw).toContain('cant_connect');
    expect(bobSaw).not.toContain('online');
  });

  it('pauses a friend who sends invalid data and says so', async () => {
    const { net, alice, bob } = await friends();
    await net.goOffline(bob);
    await net.goOnline(bob);
    const link = net.links.filter((l) => l.peer === 'bob' && !l.closed).at(-1)!;

    link.partner!.send(new Uint8Array([99, 1, 2, 3]));
    await net.settle();

    const [friend] = (await alice.service.state()).friends;
    expect(friend?.problem).toMatch(/^Paused: /);
    expect(link.closed).toBe(true);
  });

  it('does not pause the friend who reported our data as invalid: only the side that saw it does', async () => {
    const { net, alice, bob } = await friends();
    await net.goOffline(bob);
    await net.goOnline(bob);
    const link = net.links.filter((l) => l.peer === 'bob' && !l.closed).at(-1)!;

    // alice's side found bob's data invalid and tells him so before closing
    link.send(encodeMessage({ type: 'error', code: 'bad_message', message: 'Your frame was malformed.' }));
    await net.settle();

    expect((await bob.service.state()).friends).toMatchObject([{ handle: 'alice', problem: null }]);
  });
});

describe('per-friend limits', () => {
  it('keeps counting what a friend sent across reconnects, so reconnecting does not reset the limit', async () => {
    // A session's own frames from bob (hello, auth, two wants, two batches, his reader pass) count too: 7 each.
    const net = createSocialNetwork({ social: { linkLimits: { framesPerMinute: 24, bytesPerHour: 1e9 } } });
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.befriend(alice, bob);
    const sendFromBob = async (count: number) => {
      const link = net.links.filter((l) => l.peer === 'bob' && !l.closed).at(-1)!;
      for (let i = 0; i < count; i++) link.partner!.send(encodeMessage({ type: 'notify', wall: 'bob', headSeq: 0 }));
      await net.settle();
    };

    // Each connection stays under the limit on its own; together, within one minute, they do not.
    await sendFromBob(8);
    expect((await alice.service.state()).friends).toMatchObject([{ handle: 'bob', problem: null }]);
    await net.goOffline(bob);
    await net.goOnline(bob);
    await sendFromBob(8);

    expect((await alice.service.state()).friends).toMatchObject([
      { handle: 'bob', presence: 'cant_connect', problem: expect.stringMatching(/^Paused: @bob sent too many messages\. .*restarts/) },
    ]);
  });
});

describe('staying cheap with many friends', () => {
  it('sets up at most four connections at once and dials the rest as those finish', async () => {
    // The others wait a minute before dialling alice themselves, so every dial here is hers.
    const net = createSocialNetwork({ social: { answerDelayMs: 60_000 } });
    const alice = await net.addUser('alice');
    await net.goOnline(alice);
    const others = [];
    for (const name of ['bob', 'carol', 'dave', 'erin', 'frank', 'gina']) {
      const user = await net.addUser(name);
      await net.goOnline(user);
      await net.befriend(alice, user);
      others.push(user);
    }
    await net.goOffline(alice);
    for (const user of others) net.iceBlocked.add(`alice+${user.handle}`);
    // Links come in pairs, the dialler's end first.
    const dialledByAlice = () => net.links.filter((l, i) => i % 2 === 0 && l.fingerprints()?.local === 'fp-alice').length;
    const before = dialledByAlice();

    await net.goOnline(alice);
    const firstWave = dialledByAlice() - before;
    await net.time.advance(15_001); // the first four give up
    const secondWave = dialledByAlice() - before - firstWave;

    expect(firstWave).toBe(4);
    expect(secondWave).toBe(2);
  });

  it('closes a connection that stayed idle, and reopens one for the next post', async () => {
    const { net, alice, bob } = await friends();
    const open = () => net.links.filter((l) => !l.closed).length;
    expect(open()).toBe(2);

    await net.time.advance(5 * 60_000 + 1);
    expect(open()).toBe(0);
    expect((await alice.service.state()).friends).toMatchObject([{ handle: 'bob', presence: 'online' }]);

    await alice.service.post('after a pause');
    await net.settle();
    expect((await bob.service.feed(1))[0]?.text).toBe('after a pause');
  });
});

describe('a friend that stops answering', () => {
  it('keeps the connection through one quiet period while a request is unanswered, and closes it after the next', async () => {
    const { net, alice, bob } = await friends();
    const aliceEnd = net.links.find((l) => l.peer === 'bob' && !l.closed)!;
    const bobEnd = aliceEnd.partner!;
    // bob's Peerwall tells alice it has a new post, then answers nothing more.
    const send = bobEnd.send.bind(bobEnd);
    let told = false;
    bobEnd.send = (data: unknown) => {
      if (!told) send(data);
      told = true;
    };
    bobEnd.close = () => undefined; // nor does it ever close its end
    await bob.service.post('you will not get this one');
    await net.settle();

    await net.time.advance(5 * 60_000 + 1);
    expect(aliceEnd.closed).toBe(false);
    await net.time.advance(5 * 60_000 + 1);
    expect(aliceEnd.closed).toBe(true);
    expect(alice.service.connectionLog('bob').map((e) => e.text)).toContain('Closed after being idle.');
  });
});

describe('account deletion', () => {
  it('sends connected friends a goodbye, after which they stop dialling and show the account as deleted', async () => {
    const { net, alice, bob } = await friends();
    await alice.service.post('last words');

    const farewell = alice.service.farewell('Bye!', 1000);
    await net.time.advance(1000);
    await farewell;
    await net.settle();

    expect((await bob.service.state()).friends).toMatchObject([{ handle: 'alice', gone: true, waiting: 0 }]);
    expect((await bob.service.feed(5)).map((p) => p.text)).toEqual(['last words']);
    await expect(alice.service.post('more')).rejects.toMatchObject({ code: 'invalid_post' });
  });

  it('dials online friends whose connection went idle for the goodbye, and stops waiting once they hold it', async () => {
    const { net, alice, bob } = await friends();
    await net.time.advance(5 * 60_000 + 1); // the idle connection closes
    expect(net.links.every((l) => l.closed)).toBe(true);

    let done = false;
    const farewell = alice.service.farewell('Bye!', 60_000).then(() => (done = true));
    await net.settle();
    await net.time.advance(1000);
    await net.settle();

    expect(done).toBe(true);
    expect((await bob.service.state()).friends).toMatchObject([{ handle: 'alice', gone: true }]);
    await farewell;
  });

  it('never says a post waits for a friend whose account is deleted', async () => {
    const { net, alice, bob } = await friends();
    const farewell = alice.service.farewell('Bye!', 1000);
    await net.time.advance(1000);
    await farewell;
    await net.goOffline(alice);

    const post = await bob.service.post('are you still there?');

    expect(post.waitingFor).toEqual([]);
    expect((await bob.service.feed(1))[0]?.waitingFor).toEqual([]);
  });
});

describe('storage quota', () => {
  it('says the storage is full in plain words and keeps the wall unchanged', async () => {
    const { alice } = await friends();
    await alice.service.post('kept');
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementationOnce(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });

    await expect(alice.service.post('too much')).rejects.toMatchObject({
      code: 'storage_full',
      message: expect.stringContaining('storage is full'),
    });

    add.mockRestore();
    expect((await alice.service.feed(5)).map((p) => p.text)).toEqual(['kept']);
    expect((await alice.service.replica.wallState('alice'))?.seq).toBe(1);
  });
});

describe('presence', () => {
  it('drops the connection to a friend the broker reports offline, so posts show as waiting', async () => {
    const { net, alice, bob } = await friends();

    // bob's browser disappears without closing the data connection
    bob.online = false;
    net.fromBroker(alice, { type: 'PW_PRESENCE', payload: { online: [], offline: ['bob'] } });
    await net.settle();
    await alice.service.post('are you there?');

    expect((await alice.service.state()).friends).toMatchObject([{ handle: 'bob', presence: 'offline', waiting: 1 }]);
    expect((await alice.service.feed(1))[0]?.waitingFor).toEqual(['bob']);
    expect(net.links.every((l) => l.closed)).toBe(true);
  });
});

describe('reading the feed', () => {
  it('pages newest first through its indexes, for the merged feed and for one wall', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    for (let i = 0; i < 150; i++) {
      await alice.service.post(`post ${i}`);
      await net.time.advance(1);
    }

    const page = await alice.service.feed(5);
    const wall = await alice.service.feed(5, 'alice');

    expect(page.map((p) => p.text)).toEqual(['post 149', 'post 148', 'post 147', 'post 146', 'post 145']);
    expect(wall.map((p) => p.seq)).toEqual([150, 149, 148, 147, 146]);
  });
});

describe('authors only a wall’s owner vouches for (docs/protocol.md §6.1)', () => {
  const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

  async function threeOnline() {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    const carol = await net.addUser('carol');
    for (const user of [alice, bob, carol]) await net.goOnline(user);
    await net.befriend(alice, bob);
    return { net, alice, bob, carol };
  }

  it('marks a wall post by someone who is not a friend as vouched for by the wall’s owner, and only that one', async () => {
    const { net, alice, bob, carol } = await threeOnline();
    await net.befriend(alice, carol);
    const queued = await queueForFriend(carol.service.replica, carol.identity, 'alice', { kind: 'wallPost', body: { text: 'from carol', media: [] } }, { randomBytes: random, now: net.time.now });
    expect(queued.ok).toBe(true);
    await net.goOffline(carol);
    await net.goOnline(carol); // carol's new session submits it; alice seals it and tells bob
    await alice.service.post('from alice');
    await net.settle();

    const vouching = (feed: FeedPost[]) => feed.map((p) => [p.author, p.vouchedBy]).sort();
    expect(vouching(await bob.service.feed(10))).toEqual([['alice', null], ['carol', 'alice']]);
    expect(vouching(await alice.service.feed(10))).toEqual([['alice', null], ['carol', null]]); // alice sealed it herself

    await net.befriend(bob, carol);
    expect(vouching(await bob.service.feed(10, 'alice'))).toEqual([['alice', null], ['carol', null]]);
    // On her own wall alice checked carol's key against her pin when she sealed it; that stays so.
    await alice.service.unfriend('carol');
    expect(vouching(await alice.service.feed(10))).toEqual([['alice', null], ['carol', null]]);
  });

  it('refuses what alice sealed in a pinned friend’s name under another key, says why, and keeps the wall as it was', async () => {
    const { net, alice, bob, carol } = await threeOnline();
    await net.befriend(bob, carol);
    const first = await alice.service.post('before');
    await net.settle();
    // alice's Peerwall is hostile: it seals a wall post "by @carol" under a key it made up.
    const impostor = createIdentity('carol', random);
    const forged = signDraft(impostor, 'alice', alice.identity.publicKey, { kind: 'wallPost', body: { text: 'carol never wrote this', media: [] } }, { randomBytes: random, now: net.time.now });
    if (!forged.ok) throw new Error(forged.reason);
    const head = (await alice.service.replica.wallState('alice'))!;
    const seal = sealOf(forged.value.header, head.seq + 1, head.sealHash);
    const sealed = { ...forged.value, seq: head.seq + 1, prev: head.sealHash, ownerSig: signSeal(seal, alice.identity.secretKey) };
    const written = await planIngest(alice.service.replica, 'alice', [sealed], alice.identity.publicKey, net.time.now, new Map());
    if (!written.ok) throw new Error(written.reason);
    expect((await alice.service.replica.commit(written.value)).ok).toBe(true);

    await alice.service.post('after');
    await net.settle();

    const aliceSeen = (await bob.service.state()).friends.find((f) => f.handle === 'alice');
    expect(aliceSeen?.problem).toMatch(/^Paused: entry 2 of @alice: it is signed in @carol's name with a key that is not theirs\. /);
    expect((await bob.service.feed(10)).map((p) => p.id)).toEqual([first.id]);
    expect((await bob.service.replica.wallState('alice'))?.seq).toBe(1);
  });
});
