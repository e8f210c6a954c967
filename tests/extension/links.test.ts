import { describe, expect, it } from 'vitest';
import { encodeMessage } from '@/core/messages';
import { CANT_CONNECT_AFTER_MS } from '@/platform/social/friend-reach';
import { createSocialNetwork, type User } from './support/social-network';

/**
 * Issue 15: a friend who is online is always reached. Each case scripts the broker and the
 * data links (lost offers, links that die on one side, refusals) on a fake clock.
 */
async function friends(names: [string, string] = ['alice', 'bob']) {
  const net = createSocialNetwork();
  const a = await net.addUser(names[0]);
  const b = await net.addUser(names[1]);
  await net.goOnline(a);
  await net.goOnline(b);
  await net.befriend(a, b);
  return { net, a, b };
}

const presenceOf = async (user: User, handle: string) => (await user.service.state()).friends.find((f) => f.handle === handle);

/** Advances the clock in 250 ms steps until `user` lists `handle` as `presence`; answers how long that took. */
async function untilPresence(net: ReturnType<typeof createSocialNetwork>, user: User, handle: string, presence: string, maxMs: number): Promise<number> {
  for (let t = 250; t <= maxMs; t += 250) {
    await net.time.advance(250);
    if ((await presenceOf(user, handle))?.presence === presence) return t;
  }
  throw new Error(`@${user.handle} did not list @${handle} as ${presence} within ${maxMs / 1000} s`);
}
const openLinks = (net: ReturnType<typeof createSocialNetwork>) => net.links.filter((l) => !l.closed);

/** Both go offline and come back, so the next connection is dialled afresh. */
async function reconnectBoth(net: ReturnType<typeof createSocialNetwork>, a: User, b: User): Promise<void> {
  await net.goOffline(a);
  await net.goOffline(b);
  await net.goOnline(a);
}

describe('reaching a friend who is online', () => {
  it('connects within seconds when the broker loses the first offer (e.g. it restarted mid-handshake)', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.lostOffers.set('alice>bob', 1);

    await net.goOnline(bob); // alice, the smaller handle, dials at once: the offer is lost
    await net.time.advance(10_000);

    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
    expect(await presenceOf(bob, 'alice')).toMatchObject({ presence: 'online' });
    await alice.service.post('after a lost offer');
    await net.settle();
    expect((await bob.service.feed(1))[0]?.text).toBe('after a lost offer');
  });

  it('accepts a friend’s new dial although its own older connection still looks open on this side', async () => {
    const { net, a: alice, b: bob } = await friends();
    // alice dialled the connection; bob's end dies (his network dropped it), alice's end has not noticed
    const bobsEnd = openLinks(net).find((l) => l.peer === 'alice')!;
    net.sever(bobsEnd);
    await net.settle();

    await bob.service.post('are you still there?');
    await net.time.advance(3_000);

    expect((await alice.service.feed(1))[0]?.text).toBe('are you still there?');
    expect(await presenceOf(bob, 'alice')).toMatchObject({ presence: 'online' });
  });

  it('dials again when the other side closes a connection being set up, so what waited is delivered', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    await alice.service.post('written while bob was away');
    // bob's peer host is not ready for alice yet: its handshake refuses her once
    net.intercepts.set('bob', (link) => {
      net.intercepts.delete('bob');
      link.on('open', () => {
        link.send(encodeMessage({ type: 'error', code: 'not_friends', message: '@bob and @alice are not friends.' }));
        link.close();
      });
    });

    await net.goOnline(bob);
    await net.time.advance(5_000);

    expect((await bob.service.feed(1))[0]?.text).toBe('written while bob was away');
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
    expect(openLinks(net)).toHaveLength(2);
  });

  it('ends in exactly one working connection when both sides dial at once', async () => {
    const { net, a: alice, b: bob } = await friends();
    await net.time.advance(5 * 60_000 + 1); // the first connection went idle and closed
    expect(openLinks(net)).toHaveLength(0);

    await Promise.all([alice.service.post('from alice'), bob.service.post('from bob')]);
    await net.time.advance(3_000);

    expect(openLinks(net)).toHaveLength(2); // one connection: its two ends
    expect((await bob.service.feed(5)).map((p) => p.text)).toContain('from alice');
    expect((await alice.service.feed(5)).map((p) => p.text)).toContain('from bob');
  });

  it('keeps saying “Connecting…” while short retries run, and connects once the broker stops losing offers', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.lostOffers.set('alice>bob', 2);
    net.lostOffers.set('bob>alice', 2);

    await net.goOnline(bob);
    await net.time.advance(6_000);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'connecting' });

    await net.time.advance(14_000);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
    expect(await presenceOf(bob, 'alice')).toMatchObject({ presence: 'online' });
  });
});

describe('pausing a friend who sent invalid data', () => {
  it('shows the pause, and ends it when the friend’s peer comes back with a new session', async () => {
    const { net, a: alice, b: bob } = await friends();
    const bobsEnd = openLinks(net).find((l) => l.peer === 'alice')!;
    bobsEnd.send(new Uint8Array([99, 1, 2, 3])); // alice's side reads garbage from bob
    await net.settle();
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'cant_connect', problem: expect.stringMatching(/^Paused/) });

    await net.goOffline(bob); // bob restarts his browser
    await net.goOnline(bob);
    await net.time.advance(2_000);

    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online', problem: null });
    await bob.service.post('back again');
    await net.settle();
    expect((await alice.service.feed(1))[0]?.text).toBe('back again');
  });
});

describe('a fault during the handshake', () => {
  it('is retried within seconds rather than paused for minutes', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.intercepts.set('bob', (link) => {
      net.intercepts.delete('bob');
      link.on('open', () => link.send(new Uint8Array([2, 0]))); // an `auth` before any `hello`
    });

    await net.goOnline(bob);
    await net.time.advance(3_000);

    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online', problem: null });
    expect(alice.service.connectionLog('bob').map((e) => e.kind)).toEqual(expect.arrayContaining(['failed', 'retry', 'ready']));
  });
});

describe('a browser out of peer connections', () => {
  it('says so and dials again later, instead of dropping the dial without a word', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.connectionsFull.add('alice');
    net.connectionsFull.add('bob');

    await net.goOnline(bob);
    await net.time.advance(4_000);

    const failed = alice.service.connectionLog('bob').find((e) => e.kind === 'failed');
    expect(failed?.text).toBe('This browser would not open another connection, to @bob (Cannot create so many PeerConnections). Peerwall keeps trying.');
    expect(await presenceOf(alice, 'bob')).not.toMatchObject({ presence: 'online' });
    net.connectionsFull.delete('alice');
    net.connectionsFull.delete('bob');

    await untilPresence(net, alice, 'bob', 'online', 30_000);
    expect(alice.service.connectionLog('bob').map((e) => e.kind)).toEqual(expect.arrayContaining(['failed', 'dial', 'ready']));
  });
});

describe('saying what failed', () => {
  it('keeps “Connecting…” through a minute of lost offers, then says “Can’t connect” because nobody answered — not a firewall', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.lostOffers.set('alice>bob', 100);
    net.lostOffers.set('bob>alice', 100);
    await net.goOnline(bob);

    const shownAfter = await untilPresence(net, alice, 'bob', 'cant_connect', 120_000);
    expect(shownAfter).toBeGreaterThanOrEqual(CANT_CONNECT_AFTER_MS);
    const bobSeenByAlice = await presenceOf(alice, 'bob');
    expect(bobSeenByAlice).toMatchObject({ presence: 'cant_connect', reason: expect.stringContaining('did not answer') });
    expect(bobSeenByAlice?.reason).not.toMatch(/firewall|NAT/);
  });

  it('fails an attempt within seconds when no ICE candidate arrives, instead of waiting out the dial', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.candidatesLost.add('alice+bob');
    await net.goOnline(bob);

    await net.time.advance(8_100); // the answer's 3 s, then 5 s without a candidate; the retry waits ≥ 0.4 s
    const failed = alice.service.connectionLog('bob').find((e) => e.kind === 'failed');
    expect(failed?.text).toMatch(/^@bob’s Peerwall answered, but none of the network addresses to connect through arrived\. .*\(after 8000 ms\)$/);
    net.candidatesLost.delete('alice+bob');
    await net.time.advance(5_000);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
  });

  it('names ICE when ICE keeps failing', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.iceBlocked.add('alice+bob');
    await net.goOnline(bob);

    await untilPresence(net, alice, 'bob', 'cant_connect', 120_000);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'cant_connect', reason: expect.stringContaining('firewall or NAT') });
  });

  it('says “Connecting…” while an attempt is under way and for the first minute, “Can’t connect” only between failed ones after it, then connects once the path heals', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.iceBlocked.add('alice+bob');
    await net.goOnline(bob);

    const seen = new Set<string>();
    for (let t = 250; t <= 150_000; t += 250) {
      await net.time.advance(250);
      const presence = (await presenceOf(alice, 'bob'))?.presence;
      const last = alice.service.connectionLog('bob').at(-1)?.kind;
      const underWay = last !== undefined && !['failed', 'retry', 'closed', 'refused'].includes(last);
      seen.add(`${presence}${underWay ? ' during an attempt' : ''}${presence === 'cant_connect' && t < CANT_CONNECT_AFTER_MS ? ' early' : ''}`);
    }
    expect([...seen].sort()).toEqual(['cant_connect', 'connecting', 'connecting during an attempt']);

    net.iceBlocked.delete('alice+bob'); // the path comes back: the next attempt works
    await net.time.advance(35_000);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online', reason: null });
    expect(await presenceOf(bob, 'alice')).toMatchObject({ presence: 'online', reason: null });
  });

  it('dials again at once when the device’s network comes back, instead of waiting out the backoff', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.iceBlocked.add('alice+bob');
    await net.goOnline(bob);
    await net.time.advance(70_000); // four failed attempts: the next waits seconds
    let last = alice.service.connectionLog('bob').at(-1);
    while (last?.kind !== 'retry') {
      await net.time.advance(100);
      last = alice.service.connectionLog('bob').at(-1);
    }
    expect(last.text).toMatch(/^Trying again in ([4-9]|\d{2,})\.\d s\.$/);
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'cant_connect' });

    net.iceBlocked.delete('alice+bob');
    alice.service.networkChanged();
    await net.time.advance(1_000); // well before the scheduled retry
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
    expect(alice.service.connectionLog('bob').map((e) => e.text)).toContain('The network came back: dialling again now.');
  });

  it('tells a paused friend that it was refused and with which code', async () => {
    const { net, a: alice, b: bob } = await friends();
    openLinks(net).find((l) => l.peer === 'alice')!.send(new Uint8Array([99, 1, 2, 3]));
    await net.settle();
    await bob.service.post('knock knock'); // bob dials again; alice refuses while the pause lasts
    await net.time.advance(30_000);

    expect(await presenceOf(bob, 'alice')).toMatchObject({
      presence: 'cant_connect',
      reason: expect.stringMatching(/^@alice closed the connection: .*\(bad_message\)$/),
    });
    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'cant_connect', reason: null, problem: expect.stringMatching(/^Paused/) });
  });
});

describe('connection details', () => {
  it('keeps each friend’s last 50 events: presence, dials, WebRTC states, handshake and closes', async () => {
    const { net, a: alice, b: bob } = await friends();
    for (let i = 0; i < 6; i++) {
      await net.goOffline(bob);
      await net.goOnline(bob);
    }

    const log = alice.service.connectionLog('bob');

    expect(log).toHaveLength(50);
    const kinds = new Set(log.map((e) => e.kind));
    for (const kind of ['presence', 'dial', 'signaling', 'ice', 'open', 'ready', 'closed']) expect(kinds).toContain(kind);
    expect(log.at(-1)).toMatchObject({ kind: 'ready', text: expect.stringMatching(/^Handshake done \(protocol 5\) after \d+ ms\.$/) });
    expect(log.every((e, i) => i === 0 || e.at >= log[i - 1]!.at)).toBe(true);
    expect(() => alice.service.connectionLog('mallory')).toThrow('@mallory is not your friend.');
  });
});

describe('catch-up figures in connection details', () => {
  it('says once what the catch-up on connecting took, and nothing for a live post after it', async () => {
    const { net, a: alice, b: bob } = await friends();
    await net.goOffline(bob);
    for (let i = 0; i < 70; i++) await alice.service.post(`while bob was away ${i}`);
    await net.goOnline(bob);
    await net.time.advance(5_000);
    await net.settle();
    await alice.service.post('live');
    await net.settle();

    const syncs = bob.service.connectionLog('alice').filter((e) => e.kind === 'sync');
    expect(syncs).toHaveLength(1);
    expect(syncs[0]!.catchUp).toMatchObject({ wall: 'alice', batches: 1, entries: 70 });
    expect(syncs[0]!.text).toMatch(/^Brought @alice’s wall up to date: 70 entries, \d+ kB in 1 batch; waiting [\d.]+ s, checking [\d.]+ s, storing [\d.]+ s\.$/);
  });
});

describe('our own broker connection coming back', () => {
  it('dials again at once when a dial was still unanswered, instead of waiting for it to time out', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.lostOffers.set('alice>bob', 1); // the broker restarts while alice's offer is on its way

    await net.goOnline(bob);
    alice.service.offline(); // alice's broker socket drops and comes back, her data links untouched
    net.fromBroker(alice, { type: 'PW_PRESENCE', payload: { online: ['bob'], offline: [] } });
    await net.settle();

    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
    expect(alice.service.connectionLog('bob').map((e) => e.kind)).not.toContain('failed');
  });
});

describe('a slow signalling path', () => {
  it('gives each next ANSWER longer, so answers that take 6 s still connect', async () => {
    const { net, a: alice, b: bob } = await friends();
    await reconnectBoth(net, alice, bob);
    net.signalling.delayMs = 6_000; // every OFFER and ANSWER crawls through a congested broker

    await net.goOnline(bob);
    await net.time.advance(25_000);

    expect(await presenceOf(alice, 'bob')).toMatchObject({ presence: 'online' });
  });
});
