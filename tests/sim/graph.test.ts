import { describe, expect, it } from 'vitest';
import { graphStats, wattsStrogatz } from '../../sim/graph';
import { seededRng } from '../../sim/random';

describe('friendship graph', () => {
  it('gives a ring lattice its textbook clustering, 3(k − 2) / 4(k − 1), and 21 mutual friends per friendship', () => {
    const stats = graphStats(wattsStrogatz(200, 30, 0, seededRng('t', 'g')));
    expect(stats.meanFriends).toBe(30);
    expect(stats.clustering).toBeCloseTo((3 * 28) / (4 * 29), 10);
    // Two users j apart on the ring share 2·15 − j − 1 friends; averaged over j = 1…15 that is 21.
    expect(stats.meanMutualFriends).toBeCloseTo(21, 10);
  });

  it('keeps 30 friends each, all mutual, after rewiring, with clustering near (1 − p)³ of the lattice\'s', () => {
    const graph = wattsStrogatz(1000, 30, 0.15, seededRng('t', 'g'));
    for (const [u, friends] of graph.entries()) {
      expect(friends).not.toContain(u);
      for (const f of friends) expect(graph[f]).toContain(u);
    }
    const stats = graphStats(graph);
    expect(stats.meanFriends).toBe(30);
    expect(stats.clustering).toBeGreaterThan(0.724 * 0.85 ** 3 - 0.05);
    expect(stats.clustering).toBeLessThan(0.724 * 0.85 ** 3 + 0.05);
  });

  it('counts a triangle with a pendant friend by hand', () => {
    // 0–1–2 is a triangle and 3 hangs off 2: clustering (1 + 1 + 1/3 + 0) / 4, one mutual friend on
    // each triangle edge and none on 2–3.
    const stats = graphStats([[1, 2], [0, 2], [0, 1, 3], [2]]);
    expect(stats).toEqual({ meanFriends: 2, meanMutualFriends: 3 / 4, clustering: (1 + 1 + 1 / 3) / 4 });
  });
});
