import { describe, expect, it } from 'vitest';
import { toHex } from '@/core/bytes';
import { createRelayMessage } from '@/core/relayMessage';
import { incomingRelayFrame } from '@/core/signalling';
import { createSocialNetwork, type User } from './support/social-network';

/** Carol and alice are friends; carol posts, then loses her browser without a backup and signs in afresh. */
async function carolLosesHerKey() {
  const net = createSocialNetwork();
  const alice = await net.addUser('alice');
  const oldCarol = await net.addUser('carol');
  await net.goOnline(alice);
  await net.goOnline(oldCarol);
  await net.befriend(alice, oldCarol);
  await oldCarol.service.post('from my old browser');
  await net.settle();
  await net.goOffline(oldCarol);
  oldCarol.service.stop();
  const carol = await net.addUser('carol');
  return { net, alice, oldCarol, carol };
}

/** Carol's `recover-request` as the broker hands it to `to`. */
function recoverRequest(net: ReturnType<typeof createSocialNetwork>, from: User, to: User) {
  const message = createRelayMessage(from.identity, 'recover-request', to.handle, {}, { randomBytes: (n) => new Uint8Array(n).fill(9), now: net.time.now });
  if (!message.ok) throw new Error(message.reason);
  net.fromBroker(to, incomingRelayFrame(from.handle, message.value.nonce, JSON.parse(JSON.stringify(message.value))));
  return message.value;
}

const carolRow = async (alice: User) => (await alice.service.state()).friends.find((f) => f.handle === 'carol');

describe('a friend asks to have their wall restored (recover-request, §8)', () => {
  it('is shown with the new safety number; confirming keeps her wall, pins her new key and answers her', async () => {
    const { net, alice, oldCarol, carol } = await carolLosesHerKey();
    const oldKey = (await alice.service.replica.friend('carol'))!.key;
    const request = recoverRequest(net, carol, alice);
    await net.settle();

    expect((await carolRow(alice))?.keyChange).toMatchObject({ recovery: true });
    expect(alice.notices.map((n) => n.title)).toContain('Wall restore requested');

    await alice.service.acceptKeyChange('carol');
    await net.settle();

    const pin = await alice.service.replica.friend('carol');
    expect(toHex(pin!.key)).toBe(toHex(carol.identity.publicKey));
    expect(toHex(pin!.recoveredFrom!)).toBe(toHex(oldKey));
    expect((await carolRow(alice))?.keyChange).toBeNull();
    expect((await alice.service.feed(50, 'carol')).map((p) => p.text)).toEqual(['from my old browser']);
    const answers = alice.sent.filter((f) => f.type === 'PW_RELAY' && f.dst === 'carol').map((f) => (f.type === 'PW_RELAY' ? f.payload.body : null));
    expect(answers.at(-1)).toMatchObject({ type: 'friend-accept', replyTo: request.nonce, key: toHex(alice.identity.publicKey) });
    expect(oldCarol.identity.publicKey).toEqual(oldKey);
  });

  it('can be ignored: nothing is pinned and nobody is answered', async () => {
    const { net, alice, carol } = await carolLosesHerKey();
    const oldKey = (await alice.service.replica.friend('carol'))!.key;
    recoverRequest(net, carol, alice);
    await net.settle();
    await alice.service.ignoreKeyChange('carol');
    await net.settle();

    expect((await carolRow(alice))?.keyChange).toBeNull();
    expect((await alice.service.replica.friend('carol'))?.key).toEqual(oldKey);
    const accepts = alice.sent.filter((f) => f.type === 'PW_RELAY' && f.dst === 'carol' && (f.payload.body as { type?: unknown }).type === 'friend-accept');
    expect(accepts).toEqual([]);
  });

  it('is dropped unanswered from someone who is not a friend', async () => {
    const { net, alice } = await carolLosesHerKey();
    const dave = await net.addUser('dave');
    recoverRequest(net, dave, alice);
    await net.settle();

    expect((await alice.service.state()).friends.map((f) => [f.handle, f.keyChange])).toEqual([['carol', null]]);
    expect(alice.notices.map((n) => n.title)).not.toContain('Wall restore requested');
    expect(alice.sent.filter((f) => f.type === 'PW_RELAY' && f.dst === 'dave')).toEqual([]);
  });

  it('is dropped unshown when signed by the key the friend lost (a thief with the old laptop)', async () => {
    const { net, alice, oldCarol, carol } = await carolLosesHerKey();
    recoverRequest(net, carol, alice);
    await net.settle();
    await alice.service.acceptKeyChange('carol');
    await net.settle();
    const notices = alice.notices.length;

    recoverRequest(net, oldCarol, alice);
    await net.settle();

    expect((await carolRow(alice))?.keyChange).toBeNull();
    expect(alice.notices).toHaveLength(notices);
    expect(toHex((await alice.service.replica.friend('carol'))!.key)).toBe(toHex(carol.identity.publicKey));
  });
});
