import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPinnedSender, pinFriend, unfriend } from '../../core/friendship';
import { createRelayMessage, parseRelayMessage, type RelayMessage } from '../../core/relayMessage';
import { befriend, connect, deps, makeUser, post, text } from './support/world';

const alice = makeUser('alice');
const bob = makeUser('bob');
const request = (() => {
  const r = createRelayMessage(alice.identity, 'friend-request', 'bob', { note: 'hi, it is me' }, deps(alice));
  if (!r.ok) throw new Error(r.reason);
  return r.value;
})();
const wire = (m: unknown) => JSON.parse(JSON.stringify(m)) as Record<string, unknown>;

describe('friend requests over the relay', () => {
  it('parses a request sent by its authenticated sender, fitting the 4 KiB relay payload', () => {
    expect(parseRelayMessage(wire(request), 'alice', 'bob')).toEqual({ ok: true, value: request });
    const longest = createRelayMessage(alice.identity, 'friend-request', 'bob', { note: '😀'.repeat(280) }, deps(alice));
    expect(longest.ok && JSON.stringify({ id: 'x'.repeat(64), body: longest.value }).length).toBeLessThan(4096);
  });

  it('rejects a request relayed from another handle, addressed to someone else, or altered', () => {
    expect(parseRelayMessage(wire(request), 'mallory', 'bob')).toMatchObject({ ok: false, reason: expect.stringContaining('sender') });
    expect(parseRelayMessage(wire(request), 'alice', 'carol')).toMatchObject({ ok: false, reason: expect.stringContaining('someone else') });
    for (const [field, value] of [['note', 'hi'], ['at', 1], ['nonce', '00'.repeat(16)], ['key', bob.identity.publicKey.reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')]] as const) {
      expect(parseRelayMessage({ ...wire(request), [field]: value }, 'alice', 'bob').ok, field).toBe(false);
    }
    expect(parseRelayMessage({ ...wire(request), extra: 1 }, 'alice', 'bob')).toMatchObject({ ok: false, reason: 'unexpected fields' });
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseRelayMessage(value, 'alice', 'bob').ok).toBe(false);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(request)), fc.jsonValue(), (field, value) => {
        const changed = { ...wire(request), [field]: value };
        const parsed = parseRelayMessage(changed, 'alice', 'bob');
        if (parsed.ok) expect(parsed.value).toEqual(request);
      }),
      { numRuns: 300 },
    );
  });

  it('requires replies to name the request', () => {
    const accept = createRelayMessage(bob.identity, 'friend-accept', 'alice', { replyTo: request.nonce }, deps(bob));
    if (!accept.ok) throw new Error(accept.reason);
    expect(parseRelayMessage(wire(accept.value), 'bob', 'alice').ok).toBe(true);
    const bare = createRelayMessage(bob.identity, 'friend-accept', 'alice', {}, deps(bob));
    expect(bare.ok && parseRelayMessage(wire(bare.value), 'bob', 'alice')).toMatchObject({ ok: false, reason: expect.stringContaining('name the request') });
  });

  it('parses a cancel only when it names the request it withdraws', () => {
    const cancel = createRelayMessage(alice.identity, 'friend-cancel', 'bob', { replyTo: request.nonce }, deps(alice));
    if (!cancel.ok) throw new Error(cancel.reason);
    expect(parseRelayMessage(wire(cancel.value), 'alice', 'bob')).toEqual({ ok: true, value: cancel.value });
    const bare = createRelayMessage(alice.identity, 'friend-cancel', 'bob', {}, deps(alice));
    expect(bare.ok && parseRelayMessage(wire(bare.value), 'alice', 'bob')).toMatchObject({ ok: false, reason: expect.stringContaining('name the request') });
  });

  it('refuses a note longer than 280 characters', () => {
    expect(createRelayMessage(alice.identity, 'friend-request', 'bob', { note: 'x'.repeat(281) }, deps(alice)).ok).toBe(false);
  });

  it('pins the key on accepting, and unfriending forgets the friend and their wall', async () => {
    const a = makeUser('alice');
    const b = makeUser('bob');
    await befriend(a, b);
    expect((await b.replica.friend('alice'))?.key).toEqual(a.identity.publicKey);
    await post(a, text('hello'));
    await connect(a, b);
    expect(await b.replica.wallState('alice')).not.toBeNull();
    const bye = createRelayMessage(a.identity, 'unfriend', 'bob', {}, deps(a));
    if (!bye.ok) throw new Error(bye.reason);
    const parsed = parseRelayMessage(wire(bye.value), 'alice', 'bob');
    expect(parsed.ok && (await isPinnedSender(b.replica, parsed.value))).toBe(true);
    await unfriend(b.replica, 'alice');
    expect(await b.replica.friend('alice')).toBeNull();
    expect(await b.replica.wallState('alice')).toBeNull();
  });

  it('does not re-pin a friend who presents a different key in a new request', async () => {
    const a = makeUser('alice');
    const b = makeUser('bob');
    await befriend(a, b);
    const impostor = makeUser('alice', 'impostor');
    const fake = createRelayMessage(impostor.identity, 'friend-request', 'bob', {}, deps(impostor));
    if (!fake.ok) throw new Error(fake.reason);
    const parsed = parseRelayMessage(wire(fake.value), 'alice', 'bob') as { ok: true; value: RelayMessage };
    expect(await pinFriend(b.replica, parsed.value, b.now)).toMatchObject({ ok: false, reason: expect.stringContaining('another key') });
    expect((await b.replica.friend('alice'))?.key).toEqual(a.identity.publicKey);
  });
});
