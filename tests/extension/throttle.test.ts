import { describe, expect, it } from 'vitest';
import { createThrottle } from '@/platform/social/throttle';
import { createFakeTime } from './support/fake-time';

describe('throttle', () => {
  it('runs at once, gathers a burst into one run at the end of the wait, and runs at once again after a quiet spell', async () => {
    const time = createFakeTime();
    const runs: number[] = [];
    const throttle = createThrottle({ timers: time.timers, now: time.now }, 1_000, () => runs.push(time.now()));
    const start = time.now();

    throttle.call();
    for (let i = 0; i < 5; i++) {
      await time.advance(100);
      throttle.call();
    }
    await time.advance(1_000);
    await time.advance(5_000);
    throttle.call();

    expect(runs.map((t) => t - start)).toEqual([0, 1_000, 6_500]);
  });

  it('runs nothing gathered after stop', async () => {
    const time = createFakeTime();
    let runs = 0;
    const throttle = createThrottle({ timers: time.timers, now: time.now }, 1_000, () => runs++);
    throttle.call();
    throttle.call();

    throttle.stop();
    await time.advance(2_000);

    expect(runs).toBe(1);
  });
});
