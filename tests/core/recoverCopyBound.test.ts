import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../core/identity';
import { LIMITS } from '../../core/limits';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery, type OwnRecoveryEvent } from '../../core/ownRecovery';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true });

/** carol with a wall of five posts that alice holds, reinstalled to recover it with candidate copies bounded by `maxCopy`. */
async function carolRecovering(maxCopy: { entries: number; bytes: number }) {
  const carol = person('carol');
  const alice = person('alice');
  await befriend(carol, alice);
  for (let i = 0; i < 5; i++) await post(carol, text(`post ${i} `.repeat(50)));
  await connect(carol, alice);
  carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
  carol.replica = createMemoryReplica();
  const events: OwnRecoveryEvent[] = [];
  carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice'], ...deps(carol), setTimer: () => () => {}, maxCopy, onEvent: (e) => events.push(e) });
  await carol.replica.setRecovering(true);
  await askAndConfirm(carol, alice);
  return { carol, alice, events };
}

describe('a candidate copy while recovering a wall from friends is bounded (§9)', () => {
  it('refuses a copy with more entries than the bound, with a clear reason, and keeps waiting', async () => {
    const { carol, alice, events } = await carolRecovering({ entries: 4, bytes: LIMITS.recoveryCopyBytes });
    await connect(carol, alice);
    expect(carol.events).toContainEqual(expect.objectContaining({ type: 'closed', code: 'invalid_batch', reason: expect.stringContaining("@alice's copy of your wall is larger than 4 entries") }));
    expect(events).toEqual([]);
    expect(carol.ownRecovery?.active).toBe(true);
    expect(await carol.ownRecovery?.held('alice')).toBe(0);
  });

  it('refuses a copy with more bytes than the bound', async () => {
    const { carol, alice } = await carolRecovering({ entries: LIMITS.recoveryCopyEntries, bytes: 2048 });
    await connect(carol, alice);
    expect(carol.events).toContainEqual(expect.objectContaining({ type: 'closed', code: 'invalid_batch', reason: expect.stringContaining('larger than') }));
    expect(carol.ownRecovery?.active).toBe(true);
  });

  it('takes a copy within the bound', async () => {
    const { carol, alice, events } = await carolRecovering({ entries: 5, bytes: LIMITS.recoveryCopyBytes });
    await connect(carol, alice);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ from: 'alice', seq: 6 });
  });
});
