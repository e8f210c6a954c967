import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../core/bytes';
import { LIMITS } from '../../core/limits';
import { decodeMessage, encodeMessage, mediaWindowFor } from '../../core/messages';
import { createSyncSession } from '../../core/syncSession';
import { createMemoryTransportPair, type FrameTap, type Transport } from '../../core/transport';
import { makePhoto, nameOf, postPhotos } from './support/photos';
import { befriend, connect, deps, makeUser, type User } from './support/world';

const V4 = [1, 2, 3, 4] as const;

/** Counts, from the frames between them, the most chunks `b` had asked `a` for and not yet received. */
function windowWatch() {
  let inFlight = 0;
  let most = 0;
  const counts: number[] = [];
  const tap: FrameTap = (frame, from) => {
    const m = decodeMessage(frame);
    if (m.ok && m.value.type === 'fetch' && from === 'b') {
      counts.push(m.value.count);
      inFlight += m.value.count;
      most = Math.max(most, inFlight);
    }
    if (m.ok && m.value.type === 'chunk' && from === 'a') inFlight--;
    return [frame];
  };
  return { tap, counts, most: () => most };
}

describe('the photo window (docs/protocol.md §7.6, §9)', () => {
  it('is 16 chunks in version 4 and 64 from version 5', () => {
    expect([4, 5].map(mediaWindowFor)).toEqual([LIMITS.mediaChunksInFlight, LIMITS.wideMediaChunksInFlight]);
    expect(LIMITS.mediaChunksInFlight).toBe(16);
    expect(LIMITS.wideMediaChunksInFlight).toBe(64);
  });

  it.each([
    ['two version-5 sides', undefined, undefined, 5, 64],
    ['a version-5 puller and a version-4 holder', V4, undefined, 4, 16],
    ['a version-4 puller and a version-5 holder', undefined, V4, 4, 16],
  ] as const)('between %s keeps at most the version\'s window in flight, and fills it', async (_, aliceVersions, bobVersions, version, window) => {
    const alice = makeUser('alice', 'alice', { media: true, versions: aliceVersions });
    const bob = makeUser('bob', 'bob', { media: true, versions: bobVersions });
    await befriend(alice, bob);
    const big = makePhoto('big', 150);
    await postPhotos(alice, 'A large one', [big]);
    const watch = windowWatch();

    await connect(alice, bob, { tap: watch.tap });

    expect(bob.events.find((e) => e.type === 'ready')).toMatchObject({ version });
    expect(bytesEqual((await bob.media!.store.assemble(nameOf(big.photo.full)))!, big.full)).toBe(true);
    expect(Math.max(...watch.counts)).toBeLessThanOrEqual(window);
    expect(watch.most()).toBe(window);
    expect(bob.events.filter((e) => e.type === 'closed')).toEqual([]);
  });
});

const session = (u: User, peer: string, transport: Transport) =>
  createSyncSession({
    replica: u.replica, identity: u.identity, peer, transport, localFingerprint: 'f', remoteFingerprint: 'f',
    ...deps(u), relay: u.relay, media: u.media, versions: u.versions, onEvent: (e) => u.events.push(e),
  });

/**
 * alice (offering `aliceVersions`, fetching nothing herself) asks bob, who holds a 100-chunk photo and whose
 * transport never drains, so what she asked for stays owed.
 */
async function owedPair(aliceVersions: readonly number[]) {
  const alice = makeUser('alice', 'alice', { versions: aliceVersions });
  const bob = makeUser('bob', 'bob', { media: true });
  await befriend(alice, bob);
  const big = makePhoto('big', 100);
  await postPhotos(bob, 'A large one', [big]);
  const [ta, tb] = createMemoryTransportPair();
  const sa = session(alice, 'bob', ta);
  const sb = session(bob, 'alice', { ...tb, drained: () => new Promise<void>(() => {}) });
  sa.start();
  sb.start();
  while (!(sa.settled() && sb.settled())) {
    await sa.idle();
    await sb.idle();
  }
  const ask = async (from: number, count: number) => {
    ta.send(encodeMessage({ type: 'fetch', wall: 'bob', file: big.photo.full.sha256, from, count }));
    await sb.idle();
  };
  const closed = () => bob.events.find((e) => e.type === 'closed');
  return { bob, ask, closed };
}

describe('a holder\'s bound on the chunks a friend asked for', () => {
  it('takes 64 chunks owed from a version-5 friend and closes the session at the 65th', async () => {
    const { bob, ask, closed } = await owedPair([...V4, 5]);
    expect(bob.events.find((e) => e.type === 'ready')).toMatchObject({ version: 5 });
    await ask(0, 64);
    expect(closed()).toBeUndefined();
    await ask(64, 1);
    expect(closed()).toMatchObject({ code: 'bad_message', reason: expect.stringContaining('more than 64 photo chunks at once') });
  });

  it('closes the session with a version-4 friend that asks for 17 in one fetch, a count version 5 allows', async () => {
    const { bob, ask, closed } = await owedPair(V4);
    expect(bob.events.find((e) => e.type === 'ready')).toMatchObject({ version: 4 });
    await ask(0, 17);
    expect(closed()).toMatchObject({ code: 'bad_message', reason: expect.stringContaining('more than 16 photo chunks at once') });
  });
});
