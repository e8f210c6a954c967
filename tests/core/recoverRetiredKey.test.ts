import { describe, expect, it } from 'vitest';
import { createIdentity } from '../../core/identity';
import { createMemoryReplica } from '../../core/memoryReplica';
import { createOwnRecovery } from '../../core/ownRecovery';
import { confirmRecovery } from '../../core/recoveryConfirm';
import { judgeHello } from '../../core/syncHello';
import { askAndConfirm } from './support/recovery';
import { befriend, connect, deps, makeUser, post, seededRandom, text } from './support/world';

const person = (h: string) => makeUser(h, h, { media: true, forks: true });

/** carol loses her laptop (`lost`) and recovers her wall from alice; `adopted` lets alice take the recovery entry. */
async function recovered(adopted: boolean) {
  const carol = person('carol');
  const alice = person('alice');
  await befriend(carol, alice);
  await post(carol, text('one'));
  await connect(carol, alice);
  const lost = carol.identity;
  carol.identity = createIdentity('carol', seededRandom('carol-reinstalled'));
  carol.replica = createMemoryReplica();
  carol.ownRecovery = createOwnRecovery({ replica: carol.replica, identity: carol.identity, named: ['alice'], ...deps(carol), setTimer: () => () => {}, waitMs: 1 });
  await carol.replica.setRecovering(true);
  await askAndConfirm(carol, alice);
  if (adopted) {
    await connect(carol, alice);
    carol.identity = carol.ownRecovery.identity;
    carol.ownRecovery = undefined;
    await connect(carol, alice);
  }
  return { carol, alice, lost };
}

describe('a recover-request signed by a retired key (§4.3, §8)', () => {
  it('cannot be confirmed once the recovery entry joined the history: the lost key is not re-pinned', async () => {
    const { carol, alice, lost } = await recovered(true);
    const pinned = (await alice.replica.friend('carol'))!;
    const hello = { type: 'hello', handle: 'carol', key: lost.publicKey, rotations: [], versions: [5] } as unknown as Parameters<typeof judgeHello>[3];
    expect(judgeHello('alice', 'carol', pinned, hello)).toMatchObject({ ok: false, keyChanged: false });
    const confirmed = await confirmRecovery(alice.replica, alice.identity, 'carol', lost.publicKey);
    expect(confirmed).toMatchObject({ ok: false, reason: expect.stringContaining('no longer uses that key') });
    expect((await alice.replica.friend('carol'))?.key).toEqual(carol.identity.publicKey);
  });

  it('cannot be confirmed while the confirmed recovery waits for its entry', async () => {
    const { carol, alice, lost } = await recovered(false);
    const confirmed = await confirmRecovery(alice.replica, alice.identity, 'carol', lost.publicKey);
    expect(confirmed.ok).toBe(false);
    const pin = await alice.replica.friend('carol');
    expect(pin?.key).toEqual(carol.identity.publicKey);
    expect(pin?.recoveredFrom).toEqual(lost.publicKey);
  });
});
