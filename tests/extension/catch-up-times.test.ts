import { describe, expect, it } from 'vitest';
import { catchUpSentence, createCatchUpTimes } from '../../platform/social/catch-up-times';

const batch = (wall: string, entries: number, ms: number) =>
  ({ type: 'batchStored', wall, entries, bytes: entries * 500, waitMs: ms, checkMs: 2 * ms, storeMs: 3 * ms }) as const;

describe('catch-up times', () => {
  it('sums the batches of each wall until it is first up to date, and nothing after', () => {
    const times = createCatchUpTimes();
    times.add(batch('alice', 64, 10));
    times.add(batch('carol', 3, 1));
    times.add(batch('alice', 36, 5));
    expect(times.finish('alice')).toEqual({ wall: 'alice', batches: 2, entries: 100, bytes: 50_000, waitMs: 15, checkMs: 30, storeMs: 45 });
    times.add(batch('alice', 1, 1)); // a live post
    expect(times.finish('alice')).toBeNull();
    expect(times.finish('carol')).toMatchObject({ batches: 1, entries: 3 });
  });

  it('reports nothing for a wall that was up to date on connecting, nor for its live posts after', () => {
    const times = createCatchUpTimes();
    expect(times.finish('alice')).toBeNull();
    times.add(batch('alice', 1, 1));
    expect(times.finish('alice')).toBeNull();
  });

  it('says what a catch-up took in a sentence for Connection details', () => {
    const figures = { wall: 'alice', batches: 157, entries: 10_000, bytes: 4_900_000, waitMs: 1_204, checkMs: 901, storeMs: 400 };
    expect(catchUpSentence(figures)).toBe(
      'Brought @alice’s wall up to date: 10000 entries, 4.9 MB in 157 batches; waiting 1.20 s, checking 0.90 s, storing 0.40 s.',
    );
  });
});
