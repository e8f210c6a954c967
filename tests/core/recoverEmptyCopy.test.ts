import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery, type OwnRecoveryEvent } from '../../core/ownRecovery';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true });

describe('an empty copy while recovering a wall from friends (§8 step 3)', () => {
  it('neither ends the recovery nor starts the wait: the wall comes from the friend who holds it', async () => {
    const carol = person('carol');
    const alice = person('alice');
    const mallory = person('mallory');
    await befriend(carol, alice);
    await befriend(carol, mallory); // mallory never pulled carol's wall (or says so)
    await post(carol, text('one'));
    await post(carol, text('two'));
    await connect(carol, alice);

    carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
    carol.replica = createMemoryReplica();
    const timers: (() => void)[] = [];
    const events: OwnRecoveryEvent[] = [];
    const setTimer = (run: () => void) => (timers.push(run), () => {});
    carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice', 'mallory'], ...deps(carol), setTimer, waitMs: 120_000, onEvent: (e) => events.push(e) });
    await carol.replica.setRecovering(true);
    await askAndConfirm(carol, mallory);
    await askAndConfirm(carol, alice);
    await connect(carol, mallory);
    expect(events).toEqual([{ type: 'copyComplete', friend: 'mallory', seq: 0 }]);
    expect(timers).toEqual([]);
    expect(carol.ownRecovery.active).toBe(true);
    expect(carol.ownRecovery.waitingFor()).toEqual(['alice']);

    await connect(carol, alice, { allowUnanswered: true });
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', seq: 3 });
    expect((await carol.replica.wallState('carol'))?.seq).toBe(3);
  });
});
