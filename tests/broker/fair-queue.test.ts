import { describe, expect, it } from 'vitest';
import { createFairQueue } from '../../broker/fair-queue';

describe('fair queue', () => {
  it('takes jobs round-robin across clients, each client in its own order', () => {
    const queue = createFairQueue<string>({ limit: 10, perClient: 10 });
    for (const [client, job] of [['a', 'a1'], ['a', 'a2'], ['a', 'a3'], ['b', 'b1'], ['c', 'c1'], ['b', 'b2']] as const) {
      expect(queue.push(client, job)).toEqual({ ok: true });
    }
    const order: string[] = [];
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) order.push(job);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(queue.size).toBe(0);
  });

  it('refuses a client holding its share', () => {
    const queue = createFairQueue<string>({ limit: 10, perClient: 2 });
    queue.push('a', 'a1');
    queue.push('a', 'a2');
    expect(queue.push('a', 'a3')).toEqual({ ok: false, reason: 'client' });
    expect(queue.push('b', 'b1')).toEqual({ ok: true });
    queue.shift();
    expect(queue.push('a', 'a3')).toEqual({ ok: true });
  });

  it('when full, gives a newcomer the newest place of the client holding at least two more', () => {
    const queue = createFairQueue<string>({ limit: 4, perClient: 4 });
    for (const job of ['a1', 'a2', 'a3']) queue.push('a', job);
    queue.push('b', 'b1');
    expect(queue.push('c', 'c1')).toEqual({ ok: true, evicted: 'a3' });
    expect(queue.push('d', 'd1')).toEqual({ ok: true, evicted: 'a2' });
    // Every client holds one now: taking a place would only swap who waits.
    expect(queue.push('e', 'e1')).toEqual({ ok: false, reason: 'full' });
    expect(queue.push('b', 'b2')).toEqual({ ok: false, reason: 'full' });
    expect(queue.size).toBe(4);
    expect(queue.clear().sort()).toEqual(['a1', 'b1', 'c1', 'd1']);
  });

  it('holds nothing when the limit is 0', () => {
    expect(createFairQueue<string>({ limit: 0, perClient: 4 }).push('a', 'a1')).toEqual({ ok: false, reason: 'full' });
  });
});
