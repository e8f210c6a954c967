import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../core/limits';
import { encodeMessage } from '../../core/messages';
import { createSyncSession, type SyncEvent } from '../../core/syncSession';
import { createMemoryTransportPair } from '../../core/transport';
import { befriend, deps, makeUser, post, text } from './support/world';

describe('a sync session under arbitrary input', () => {
  it('never throws, and never changes stored state, whatever bytes arrive after the handshake', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    await post(alice, text('hello'));
    await post(bob, text('hi'));
    const snapshot = async () => JSON.stringify([
      await bob.replica.entriesAfter('alice', 0, 100),
      await bob.replica.entriesAfter('bob', 0, 100),
      await bob.replica.friends(),
    ], (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v));

    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }), async (frames) => {
        const [ta, tb] = createMemoryTransportPair();
        const common = { localFingerprint: 'f', remoteFingerprint: 'f' };
        const sa = createSyncSession({ replica: alice.replica, identity: alice.identity, peer: 'bob', transport: ta, ...common, ...deps(alice) });
        const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, ...common, ...deps(bob) });
        sa.start();
        sb.start();
        while (!(sa.settled() && sb.settled())) {
          await sa.idle();
          await sb.idle();
        }
        expect(sb.state).toBe('ready');
        const before = await snapshot();
        for (const f of frames) ta.send(f);
        await sb.idle();
        expect(await snapshot()).toBe(before);
        sa.close();
      }),
      { numRuns: 40 },
    );
  });

  it('closes with bad_message when a friend’s error frame carries a message over the limit, rather than showing it', async () => {
    const alice = makeUser('alice');
    const bob = makeUser('bob');
    await befriend(alice, bob);
    const [ta, tb] = createMemoryTransportPair();
    const common = { localFingerprint: 'f', remoteFingerprint: 'f' };
    const events: SyncEvent[] = [];
    const sa = createSyncSession({ replica: alice.replica, identity: alice.identity, peer: 'bob', transport: ta, ...common, ...deps(alice) });
    const sb = createSyncSession({ replica: bob.replica, identity: bob.identity, peer: 'alice', transport: tb, ...common, ...deps(bob), onEvent: (e) => events.push(e) });
    sa.start();
    sb.start();
    while (!(sa.settled() && sb.settled())) {
      await sa.idle();
      await sb.idle();
    }

    ta.send(encodeMessage({ type: 'error', code: 'not_allowed', message: 'x'.repeat(LIMITS.errorMessageChars + 1) }));
    await sb.idle();

    expect(events.at(-1)).toEqual({
      type: 'closed',
      code: 'bad_message',
      reason: `bad message: error message is longer than ${LIMITS.errorMessageChars} characters`,
      byPeer: false,
      storageFull: false,
    });
  });
});
