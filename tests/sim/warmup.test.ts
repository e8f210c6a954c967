import { describe, expect, it } from 'vitest';
import { HOUR, type Visit } from '../../sim/schedule';
import { lastMeetings } from '../../sim/warmup';

const visit = (user: number, from: number, to: number): Visit => ({ user, start: from * HOUR, end: to * HOUR });

describe('last meetings before the run', () => {
  it('finds when each two friends last came online together, and leaves out friends who never did', () => {
    const graph = [[1, 2], [0], [0], []];
    const visits = [
      [visit(0, -48, -40), visit(0, -24, -16)],
      [visit(1, -47, -46), visit(1, -20, -19)],
      [visit(2, -30, -29)],
      [visit(3, -24, -16)],
    ];
    expect(lastMeetings(graph, visits)).toEqual([{ a: 0, b: 1, at: -20 * HOUR }]);
  });
});
