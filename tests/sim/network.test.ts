import { describe, expect, it } from 'vitest';
import { createNetwork } from '../../sim/network';
import { seededRng } from '../../sim/random';
import { HOUR } from '../../sim/schedule';

/** Author 0 and friends 1 and 2, who are also each other's friends. */
const triangle = [[1, 2], [0, 2], [0, 1]];

describe('the simulated network (direct only)', () => {
  it('delivers a post live to a friend online at the moment, and to a friend who comes online while the author is', async () => {
    const network = await createNetwork(triangle, 'direct', seededRng('t', 'keys'));
    await network.comeOnline(1, 0);
    await network.comeOnline(0, 1 * HOUR);
    const id = await network.post(0, 1.5 * HOUR, 'hello');
    await network.comeOnline(2, 2 * HOUR);
    expect([...network.storedAt.get(id)!]).toEqual([[1, 1.5 * HOUR], [2, 2 * HOUR]]);
    expect(network.stats).toMatchObject({ sessionsOpened: 3, failedSessions: 0 });
    expect(network.stats.bytesSent).toBeGreaterThan(0);
  });

  it('does not pass a post on through a mutual friend once the author has left', async () => {
    const network = await createNetwork(triangle, 'direct', seededRng('t', 'keys'));
    await network.comeOnline(1, 0);
    await network.comeOnline(0, 1 * HOUR);
    const id = await network.post(0, 1.5 * HOUR, 'hello');
    await network.goOffline(0, 2 * HOUR);
    await network.comeOnline(2, 3 * HOUR);
    expect([...network.storedAt.get(id)!.keys()]).toEqual([1]);
    expect(network.stats).toMatchObject({ sessionsOpened: 2, failedSessions: 0 });
  });
});

describe('the simulated network (relay)', () => {
  /** 1 gets the post live; 0 leaves; then 2 comes online while only 1 is there. */
  async function postThenRelay(passes: boolean) {
    const network = await createNetwork(triangle, 'relay', seededRng('t', 'keys'));
    if (passes) await network.givePasses([{ a: 0, b: 1, at: -HOUR }, { a: 0, b: 2, at: -HOUR }, { a: 1, b: 2, at: -HOUR }]);
    await network.comeOnline(1, 0);
    await network.comeOnline(0, 1 * HOUR);
    const id = await network.post(0, 1.5 * HOUR, 'hello');
    await network.goOffline(0, 2 * HOUR);
    await network.comeOnline(2, 3 * HOUR);
    return { stored: [...network.storedAt.get(id)!], stats: network.stats };
  }

  it('passes a post on through a mutual friend to a friend holding the author\'s reader pass', async () => {
    const { stored, stats } = await postThenRelay(true);
    expect(stored).toEqual([[1, 1.5 * HOUR], [2, 3 * HOUR]]);
    expect(stats.failedSessions).toBe(0);
  });

  it('does not relay to a friend who has no reader pass from the author yet', async () => {
    const { stored } = await postThenRelay(false);
    expect(stored).toEqual([[1, 1.5 * HOUR]]);
  });
});
