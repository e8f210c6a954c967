import { queueForFriend } from '@/core/author';
import { describe, expect, it, vi } from 'vitest';
import { toHex } from '@/core/bytes';
import { createRelayMessage } from '@/core/relayMessage';
import { createSocialStore, UNFRIENDED_KEPT } from '@/platform/social/social-store';
import { createSocialNetwork, SyncLink } from './support/social-network';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

async function three() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const bob = await net.addUser('bob');
  const carol = await net.addUser('carol');
  return { net, alice, bob, carol };
}

describe('befriending by handle', () => {
  it('delivers a request that the other side accepts, pinning each side’s identity key', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);

    const afterAdd = await alice.service.addFriend('@Bob');
    await net.settle();

    expect(afterAdd.outgoing).toMatchObject([{ handle: 'bob', direction: 'outgoing' }]);
    const bobSees = await bob.service.state();
    expect(bobSees.incoming).toMatchObject([{ handle: 'alice', direction: 'incoming' }]);
    expect(bob.notices).toMatchObject([{ kind: 'request', message: '@alice wants to be your friend.' }]);

    await bob.service.answerRequest('alice', true);
    await net.settle();

    expect((await alice.service.state()).friends.map((f) => f.handle)).toEqual(['bob']);
    expect((await bob.service.state()).friends.map((f) => f.handle)).toEqual(['alice']);
    expect((await alice.service.state()).outgoing).toEqual([]);
    expect(toHex((await alice.service.replica.friend('bob'))!.key)).toBe(toHex(bob.identity.publicKey));
    expect(toHex((await bob.service.replica.friend('alice'))!.key)).toBe(toHex(alice.identity.publicKey));
    const [aliceView] = (await bob.service.state()).friends;
    const [bobView] = (await alice.service.state()).friends;
    expect(aliceView?.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(aliceView?.safetyNumber).toBe(bobView?.safetyNumber);
  });

  it('allows only friends: neither a handle we asked nor a stranger who asked us, and shows friends online', async () => {
    const { net, alice, bob, carol } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.goOnline(carol);

    await net.befriend(alice, bob);
    await alice.service.addFriend('carol');
    await net.settle();

    expect(alice.allow).toEqual({ handles: ['bob'], blocked: [] }); // carol cannot offer to alice before she accepts
    expect(bob.allow.handles).toEqual(['alice']);
    expect(carol.allow.handles).toEqual([]); // alice cannot offer to carol before carol accepts
    const friends = (await alice.service.state()).friends;
    expect(friends).toMatchObject([{ handle: 'bob', presence: 'online' }]);
  });

  it('says so when the handle is unknown or retired, and stores nothing', async () => {
    const { net, alice } = await three();
    net.retired.add('dave');
    await net.goOnline(alice);

    await expect(alice.service.addFriend('nobody')).rejects.toMatchObject({
      code: 'unknown_handle',
      message: 'Nobody has the handle @nobody.',
    });
    await expect(alice.service.addFriend('dave')).rejects.toMatchObject({
      code: 'handle_retired',
      message: expect.stringContaining('deleted their account'),
    });
    await expect(alice.service.addFriend('alice')).rejects.toMatchObject({ message: 'That is your own handle.' });
    await expect(alice.service.addFriend('not a handle')).rejects.toMatchObject({ code: 'invalid_handle' });
    expect(await alice.service.state()).toMatchObject({ outgoing: [], friends: [] });
    expect(await alice.db.count('relayOutbox')).toBe(0);
  });

  it('lets a request wait for an offline receiver, and resends it after a broker restart lost the queue', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);

    await alice.service.addFriend('carol');
    await net.settle();
    expect((await alice.service.state()).outgoing).toMatchObject([{ handle: 'carol', delivery: 'sent' }]);

    net.restartBroker();
    await net.goOffline(alice);
    await net.goOnline(alice); // the peer host reconnects: the persistent outbox is sent again
    await net.goOnline(carol);

    expect((await carol.service.state()).incoming).toMatchObject([{ handle: 'alice' }]);
    // The broker does not report the late delivery: the request stays waiting until carol answers.
    await carol.service.answerRequest('alice', true);
    await net.settle();
    expect((await alice.service.state()).friends.map((f) => f.handle)).toEqual(['carol']);
  });

  it('keeps a request the receiver could not store on a full disk, says so, and delivers it on the next reconnect', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);
    await net.goOnline(carol);
    const put = IDBObjectStore.prototype.put;
    const full = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'requests' && this.transaction.db.name.includes('carol')) {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      }
      return put.apply(this, args);
    });

    await alice.service.addFriend('carol');
    await net.settle();
    full.mockRestore();

    const carolState = await carol.service.state();
    expect(carolState.incoming).toEqual([]);
    expect(carolState.problems[0]).toMatch(/storage is full, so a message from @alice could not be saved/);
    expect((await alice.service.state()).outgoing).toMatchObject([{ handle: 'carol', delivery: 'sent' }]);

    await net.goOffline(alice);
    await net.goOnline(alice); // the kept request is sent again

    expect((await carol.service.state()).incoming).toMatchObject([{ handle: 'alice' }]);
    await carol.service.answerRequest('alice', true);
    await net.settle();
    expect(await alice.db.count('relayOutbox')).toBe(0);
  });

  it('keeps an acceptance the broker only accepted until the requester lists us, then forgets it', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);
    await net.goOnline(carol);
    await alice.service.addFriend('carol');
    await net.settle();
    await net.goOffline(alice);

    await carol.service.answerRequest('alice', true);
    await net.settle();
    expect(await carol.db.count('relayOutbox')).toBe(1); // "accepted": carol cannot tell whether alice got it
    await net.goOffline(carol);
    await net.goOnline(carol); // sent again on reconnect
    expect(carol.sent.filter((f) => f.type === 'PW_RELAY')).toHaveLength(2);

    await net.goOnline(alice); // alice befriends carol; the broker reports each online to the other
    await net.settle();
    expect((await alice.service.state()).friends.map((f) => f.handle)).toEqual(['carol']);
    expect(await carol.db.count('relayOutbox')).toBe(0);
  });

  it('sends a relay the broker refused for now again after a growing wait, not only at the next reconnect', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);
    net.relayRefusal.reason = 'queue_full';
    await alice.service.addFriend('carol');
    const relays = () => alice.sent.filter((f) => f.type === 'PW_RELAY').length;

    await net.time.advance(23_000);
    expect(relays()).toBe(1);
    await net.time.advance(14_000); // 30 s ± 20 %
    expect(relays()).toBe(2);
    await net.time.advance(34_000);
    expect(relays()).toBe(2);
    await net.time.advance(38_000); // then 60 s ± 20 % after the first retry
    expect(relays()).toBe(3);

    net.relayRefusal.reason = null;
    await net.time.advance(120_000 * 1.2);
    await net.goOnline(carol);
    expect((await carol.service.state()).incoming).toMatchObject([{ handle: 'alice' }]);
    expect((await alice.service.state()).outgoing).toMatchObject([{ handle: 'carol', delivery: 'sent' }]);
  });

  it('shows a request once even when it arrives twice', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);
    await alice.service.addFriend('carol');
    await net.goOffline(alice);
    await net.goOnline(alice); // resent while the broker still holds the first copy
    await net.goOnline(carol);

    expect((await carol.service.state()).incoming).toHaveLength(1);
    expect(carol.notices.filter((n) => n.kind === 'request')).toHaveLength(1);
  });

  it('forgets a declined request on both sides', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();

    await bob.service.answerRequest('alice', false);
    await net.settle();

    expect(await alice.service.state()).toMatchObject({ outgoing: [], friends: [] });
    expect(await bob.service.state()).toMatchObject({ incoming: [], friends: [] });
    expect(alice.allow.handles).toEqual([]);
  });

  it('ignores relays whose signature or sender does not check out', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();
    const genuine = (await bob.db.get('requests', 'alice'))!.message;

    // carol replays alice's request as her own, and sends garbage
    net.fromBroker(bob, { type: 'PW_RELAY', src: 'carol', payload: { id: 'x', body: genuine } });
    net.fromBroker(bob, { type: 'PW_RELAY', src: 'carol', payload: { id: 'y', body: { v: 1, type: 'friend-request' } } });
    net.fromBroker(bob, { type: 'PW_RELAY', src: 'carol', payload: null });
    net.fromBroker(bob, 'not even an object');
    await net.settle();

    expect((await bob.service.state()).incoming.map((r) => r.handle)).toEqual(['alice']);
  });

  it('unfriends on both sides, purging what waited and updating the allowlist', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.befriend(alice, bob);
    await alice.service.post('hello bob');
    await net.settle();
    expect(await bob.service.feed(10)).toHaveLength(1);

    await bob.service.unfriend('alice');
    await net.settle();

    expect((await alice.service.state()).friends).toEqual([]);
    expect((await bob.service.state()).friends).toEqual([]);
    expect(await bob.service.feed(10)).toEqual([]);
    expect(await bob.service.replica.wallState('alice')).toBeNull();
    expect(alice.allow.handles).toEqual([]);
    expect(bob.allow.handles).toEqual([]);
  });
});

describe('cancelling a request and being unfriended', () => {
  it('cancels an outgoing request on both sides and never sends it again', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();
    expect((await bob.service.state()).incoming).toHaveLength(1);

    const after = await alice.service.cancelRequest('@bob');
    await net.settle();
    await net.goOffline(alice);
    await net.goOnline(alice); // a reconnect resends what the outbox keeps
    await net.settle();

    expect(after.outgoing).toEqual([]);
    expect((await bob.service.state()).incoming).toEqual([]);
    expect((await alice.db.getAll('relayOutbox')).map((item) => item.body.type)).not.toContain('friend-request');
    await expect(alice.service.cancelRequest('bob')).rejects.toMatchObject({ code: 'no_request', message: 'You have no pending friend request to @bob.' });
  });

  it('removes a request the receiver has not seen yet: the cancel follows it through the broker', async () => {
    const { net, alice, carol } = await three();
    await net.goOnline(alice);
    await alice.service.addFriend('carol');
    await alice.service.cancelRequest('carol');
    await net.settle();

    await net.goOnline(carol);

    expect((await carol.service.state()).incoming).toEqual([]);
  });

  it('makes no friendship of an acceptance that crossed the cancel, and tells the accepter so', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();
    await net.goOffline(alice);

    await bob.service.answerRequest('alice', true); // waits at the broker for alice
    await alice.service.cancelRequest('bob'); // sent when alice is back
    await net.goOnline(alice);
    await net.settle();

    expect((await alice.service.state()).friends).toEqual([]);
    expect((await bob.service.state()).friends).toEqual([]);
    expect(alice.allow.handles).toEqual([]);
    expect(bob.allow.handles).toEqual([]);
    // What bob sees of the crossing: the friendship he accepted ended on alice's side.
    expect((await bob.service.state()).unfriendedBy).toMatchObject([{ handle: 'alice' }]);
  });

  it('ignores a cancel that names another request than the one waiting, such as an old one replayed', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();
    const stale = createRelayMessage(alice.identity, 'friend-cancel', 'bob', { replyTo: toHex(random(16)) }, { randomBytes: random, now: Date.now });
    if (!stale.ok) throw new Error(stale.reason);

    net.fromBroker(bob, { type: 'PW_RELAY', src: 'alice', payload: { id: stale.value.nonce, body: stale.value } });
    await net.settle();

    expect((await bob.service.state()).incoming.map((r) => r.handle)).toEqual(['alice']);
  });

  it('tells the unfriended side quietly, until dismissed, and forgets it when they are friends again', async () => {
    const { net, alice, bob } = await three();
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.befriend(alice, bob);
    const noticesBefore = alice.notices.length;

    await bob.service.unfriend('alice');
    await net.settle();

    expect((await alice.service.state()).unfriendedBy).toMatchObject([{ handle: 'bob' }]);
    expect((await bob.service.state()).unfriendedBy).toEqual([]);
    expect(alice.notices).toHaveLength(noticesBefore); // no browser notification
    expect((await alice.service.dismissUnfriended('bob')).unfriendedBy).toEqual([]);

    await net.befriend(alice, bob);
    await bob.service.unfriend('alice');
    await net.settle();
    expect((await alice.service.state()).unfriendedBy).toHaveLength(1);
    await net.befriend(bob, alice);
    expect((await alice.service.state()).unfriendedBy).toEqual([]);
  });

  it('keeps at most the newest notices and reads stored ones through a check', async () => {
    const { alice } = await three();
    const store = createSocialStore(alice.db);
    for (let i = 0; i < UNFRIENDED_KEPT + 5; i += 1) await store.setUnfriended(`friend${i}`, i);
    const kept = await store.unfriendedBy();
    expect(kept).toHaveLength(UNFRIENDED_KEPT);
    expect(kept[0]).toEqual({ handle: `friend${UNFRIENDED_KEPT + 4}`, at: UNFRIENDED_KEPT + 4 });

    await alice.db.put('meta', { key: 'unfriendedBy', value: [{ handle: 'Not A Handle', at: 1 }, 'bob', { handle: 'bob', at: 'soon' }, { handle: 'carol', at: 2 }] });
    expect(await store.unfriendedBy()).toEqual([{ handle: 'carol', at: 2 }]);
    await alice.db.put('meta', { key: 'unfriendedBy', value: 'garbage' });
    expect(await store.unfriendedBy()).toEqual([]);
  });
});

describe('blocking', () => {
  it('drops the blocked handle’s requests and connections and shows nothing of theirs', async () => {
    const { net, bob, carol } = await three();
    await net.goOnline(bob);
    await net.goOnline(carol);
    await carol.service.addFriend('bob');
    await net.settle();
    expect((await bob.service.state()).incoming).toHaveLength(1);

    await bob.service.block('carol');
    // A valid signed request handed straight to bob's service, as a relay the broker queued before
    // it knew bob's blocklist would be: only the service's own guard stands in its way.
    const request = createRelayMessage(carol.identity, 'friend-request', 'bob', { note: 'again' }, { randomBytes: random, now: net.time.now });
    if (!request.ok) throw new Error(request.reason);
    bob.service.serverFrame({ type: 'PW_RELAY', src: 'carol', payload: { id: 'z', body: request.value } });
    const link = new SyncLink('carol', 'fp-bob', 'fp-carol');
    bob.service.incoming(link);
    await net.settle();

    expect(link.closed).toBe(true);
    const state = await bob.service.state();
    expect(state).toMatchObject({ incoming: [], friends: [], blocked: ['carol'] });
    expect(bob.allow).toEqual({ handles: [], blocked: ['carol'] });
    expect(bob.notices.filter((n) => n.message.includes('carol'))).toHaveLength(1); // only the first, before the block
  });

  it('hides what the blocked handle wrote on a friend’s wall, and notifies nothing of it', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    const carol = await net.addUser('carol');
    for (const user of [alice, bob, carol]) await net.goOnline(user);
    await net.befriend(alice, bob);
    await net.befriend(alice, carol);
    const queued = await queueForFriend(carol.service.replica, carol.identity, 'alice', { kind: 'wallPost', body: { text: 'from carol', media: [] } }, {
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      now: net.time.now,
    });
    expect(queued.ok).toBe(true);
    await bob.service.block('carol');

    // carol's session submits the wall post; alice seals it and bob pulls alice's wall
    await net.goOffline(carol);
    await net.goOnline(carol);
    await alice.service.post('from alice');
    await net.settle();

    expect((await alice.service.feed(10)).map((p) => p.author).sort()).toEqual(['alice', 'carol']);
    expect((await bob.service.feed(10)).map((p) => p.text)).toEqual(['from alice']);
    expect((await bob.service.feed(10, 'alice')).map((p) => p.text)).toEqual(['from alice']);
    expect(bob.notices.filter((n) => n.title.includes('carol') || n.message.includes('from carol'))).toEqual([]);
  });

  it('refuses a data connection from a blocked or unknown handle, even one storage still lists as a friend', async () => {
    const { net, bob, carol } = await three();
    await net.goOnline(bob);
    await net.goOnline(carol);
    await net.befriend(bob, carol);
    const pin = (await bob.service.replica.friend('carol'))!;
    await bob.service.block('carol');
    // A pin left behind (say by an older version) while the block stands: the block alone must refuse.
    await bob.service.replica.putFriend(pin);
    await net.restart(bob);
    const unknown = new SyncLink('mallory', 'fp-bob', 'fp-mallory');
    const blocked = new SyncLink('carol', 'fp-bob', 'fp-carol');

    bob.service.incoming(unknown);
    bob.service.incoming(blocked);
    await net.settle();

    expect(unknown.closed).toBe(true);
    expect(blocked.closed).toBe(true);
    expect(bob.allow).toEqual({ handles: [], blocked: ['carol'] });
  });
});

describe('identity keys', () => {
  it('never re-pins a friend who asks again with a different key, and shows the key change to accept', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    await net.goOnline(alice);
    await net.goOnline(bob);
    await net.befriend(alice, bob);
    const pinned = toHex((await alice.service.replica.friend('bob'))!.key);

    // "bob" reinstalls without his key: a new identity asks again
    const { createRelayMessage } = await import('@/core/relayMessage');
    const { createIdentity } = await import('@/core/identity');
    const impostor = createIdentity('bob', (n) => crypto.getRandomValues(new Uint8Array(n)));
    const made = createRelayMessage(impostor, 'friend-request', 'alice', {}, {
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      now: () => 1,
    });
    net.fromBroker(alice, { type: 'PW_RELAY', src: 'bob', payload: { id: 'n', body: made.ok ? made.value : null } });
    await net.settle();

    expect(toHex((await alice.service.replica.friend('bob'))!.key)).toBe(pinned);
    expect((await alice.service.state()).friends[0]?.keyChange).toMatchObject({ safetyNumber: expect.stringMatching(/^(\d{5} ){11}\d{5}$/) });
  });
});
