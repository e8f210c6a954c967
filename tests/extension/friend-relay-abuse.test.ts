import { describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import { createRelayMessage } from '@/core/relayMessage';
import { createSocialNetwork } from './support/social-network';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

/** Found by review: an acceptance nobody asked for must cost nothing and tell nothing (docs/signalling.md). */
describe('acceptances nobody asked for, and endings a new friendship supersedes', () => {
  it('drops a waiting unfriend once the two are friends again, so a reconnect does not end the new friendship', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const bob = await net.addUser('bob');
    await net.goOnline(alice);
    await net.goOnline(bob);
    await alice.service.addFriend('bob');
    await net.settle();
    await net.goOffline(alice);
    await bob.service.answerRequest('alice', true); // waits at the broker for alice
    await alice.service.cancelRequest('bob'); // crossed: alice withdraws meanwhile
    await net.goOffline(bob); // bob is offline when alice's automatic unfriend goes out
    await net.goOnline(alice); // receives the accept of the request she cancelled: answers unfriend, once, kept for bob
    await net.settle();
    const kept = (await alice.db.getAll('relayOutbox')).filter((i) => i.body.type === 'unfriend');
    expect(kept).toHaveLength(1);

    await net.goOnline(bob);
    await net.settle();
    // They talk it over and become friends again, for real.
    await net.befriend(alice, bob);
    expect((await alice.service.state()).friends.map((f) => f.handle)).toEqual(['bob']);
    expect((await bob.service.state()).friends.map((f) => f.handle)).toEqual(['alice']);

    // alice's browser reconnects (network blip, service-worker restart...): the outbox is resent.
    await net.goOffline(alice);
    await net.goOnline(alice);
    await net.settle();

    expect((await alice.service.state()).friends.map((f) => f.handle)).toEqual(['bob']);
    expect((await bob.service.state()).friends.map((f) => f.handle)).toEqual(['alice']);
    expect((await bob.service.state()).unfriendedBy).toEqual([]);
    expect((await alice.db.getAll('relayOutbox')).filter((i) => i.body.type === 'unfriend')).toEqual([]);
  });

  it('answers a stranger’s flood of signed acceptances with nothing: no stored unfriend, nothing resent', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const mallory = await net.addUser('mallory');
    await net.goOnline(alice); // mallory stays offline: alice's answers are "accepted" and kept
    const N = 200;
    for (let i = 0; i < N; i += 1) {
      const fake = createRelayMessage(mallory.identity, 'friend-accept', 'alice', { replyTo: toHex(random(16)) }, { randomBytes: random, now: Date.now });
      if (!fake.ok) throw new Error(fake.reason);
      net.fromBroker(alice, { type: 'PW_RELAY', src: 'mallory', payload: { id: fake.value.nonce, body: fake.value } });
    }
    await net.settle();
    for (let i = 0; i < 20; i += 1) await net.settle();

    expect(await alice.db.getAll('relayOutbox')).toEqual([]);

    alice.sent.length = 0;
    await net.goOffline(alice);
    await net.goOnline(alice);
    await net.settle();
    expect(alice.sent.filter((f) => f.type === 'PW_RELAY')).toEqual([]);
  });

  it('tells a stranger nothing of when one comes online: an acceptance waiting at the broker gets no answer', async () => {
    const net = createSocialNetwork();
    const alice = await net.addUser('alice');
    const mallory = await net.addUser('mallory');
    await net.goOnline(mallory);
    const fake = createRelayMessage(mallory.identity, 'friend-accept', 'alice', { replyTo: toHex(random(16)) }, { randomBytes: random, now: Date.now });
    if (!fake.ok) throw new Error(fake.reason);
    // mallory's relay waits at the broker while alice is offline (the broker answers mallory "accepted" either way).
    net.queued.set('alice', [{ src: 'mallory', payload: { id: fake.value.nonce, body: fake.value } }]);
    const seen: unknown[] = [];
    const original = mallory.service.serverFrame.bind(mallory.service);
    mallory.service.serverFrame = (frame) => (seen.push(frame), original(frame));

    await net.goOnline(alice);
    await net.settle();

    expect(seen.filter((f) => (f as { type?: string }).type === 'PW_RELAY')).toEqual([]);
  });
});
