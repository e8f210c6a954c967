import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../broker/login-throttle';
import { createWindowCounter } from '../../broker/window-counter';

describe('login throttle', () => {
  it('doubles the wait after each failure beyond the free ones, up to the cap', () => {
    let now = 0;
    const throttle = createLoginThrottle({ now: () => now, freePerPair: 2, baseDelayMs: 1_000, maxDelayMs: 4_000 });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      throttle.fail('alice', 'a');
      waits.push(throttle.retryAfter('alice', 'a'));
      now += 60_000;
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 4]);
  });

  it('forgets failures after a quiet day', () => {
    let now = 0;
    const throttle = createLoginThrottle({ now: () => now, freePerPair: 1 });
    throttle.fail('alice', 'a');
    throttle.fail('alice', 'a');
    expect(throttle.retryAfter('alice', 'a')).toBe(1);
    now += 24 * 60 * 60_000 + 1;
    throttle.fail('alice', 'a');
    expect(throttle.retryAfter('alice', 'a')).toBe(0);
  });
});

describe('window counter', () => {
  it('allows `limit` events per window and says when the next one is allowed', () => {
    let now = 0;
    const counter = createWindowCounter({ limit: 2, windowMs: 10_000, now: () => now });
    counter.record('k');
    now = 4_000;
    counter.record('k');
    expect(counter.retryAfter('k')).toBe(6);
    expect(counter.retryAfter('other')).toBe(0);
    now = 10_001;
    expect(counter.retryAfter('k')).toBe(0);
  });

  it('takes back an event once, even after later events were recorded', () => {
    let now = 0;
    const counter = createWindowCounter({ limit: 2, windowMs: 10_000, now: () => now });
    const giveBack = counter.record('k');
    now = 1_000;
    counter.record('k');
    expect(counter.retryAfter('k')).toBeGreaterThan(0);
    giveBack();
    giveBack();
    expect(counter.retryAfter('k')).toBe(0);
    counter.record('k');
    expect(counter.retryAfter('k')).toBe(10); // both remaining events are from 1 s
  });

  it('holds at most maxKeys keys', () => {
    const counter = createWindowCounter({ limit: 1, windowMs: 10_000, maxKeys: 2 });
    for (const key of ['a', 'b', 'c']) counter.record(key);
    expect(counter.retryAfter('a')).toBe(0);
    expect(counter.retryAfter('c')).toBeGreaterThan(0);
  });
});

describe('window counter: take', () => {
  it('counts an event only when one more is allowed, and says how long to wait otherwise', () => {
    let now = 0;
    const counter = createWindowCounter({ limit: 2, windowMs: 10_000, now: () => now });
    const first = counter.take('k');
    now = 4_000;
    expect(counter.take('k').ok).toBe(true);
    expect(counter.take('k')).toEqual({ ok: false, retryAfter: 6 });
    if (first.ok) first.giveBack();
    expect(counter.take('k').ok).toBe(true);
    expect(counter.retryAfter('k')).toBe(10);
  });
});
