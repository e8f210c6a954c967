import { type Rng, randomInt } from './random';

/** Friendships as sorted neighbour lists; friendship is mutual, so `v ∈ friends[u]` ⇔ `u ∈ friends[v]`. */
export type FriendGraph = number[][];

/**
 * Watts–Strogatz: a ring where everyone befriends the `degree` nearest users, then each friendship
 * moves one end to a random user with probability `rewire`. Friends of friends stay mostly friends
 * (relaying needs that: in a random graph of this size two friends share about one friend), and
 * the few long links keep the graph small-world.
 */
export function wattsStrogatz(users: number, degree: number, rewire: number, rng: Rng): FriendGraph {
  const half = Math.floor(degree / 2);
  if (users <= 2 * half) throw new RangeError(`${users} users cannot each have ${2 * half} friends.`);
  const sets = Array.from({ length: users }, () => new Set<number>());
  const link = (a: number, b: number) => (sets[a]!.add(b), sets[b]!.add(a));
  for (let u = 0; u < users; u++) for (let j = 1; j <= half; j++) link(u, (u + j) % users);
  for (let j = 1; j <= half; j++) {
    for (let u = 0; u < users; u++) {
      const v = (u + j) % users;
      if (!sets[u]!.has(v) || rng() >= rewire) continue;
      let w = randomInt(rng, users);
      // Everyone already a friend: keep the edge rather than loop forever.
      for (let tries = 0; (w === u || sets[u]!.has(w)) && tries < 100; tries++) w = randomInt(rng, users);
      if (w === u || sets[u]!.has(w)) continue;
      sets[u]!.delete(v);
      sets[v]!.delete(u);
      link(u, w);
    }
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

export type GraphStats = { meanFriends: number; meanMutualFriends: number; clustering: number };

/** Mean degree, mean friends two friends share, and the mean local clustering coefficient. */
export function graphStats(graph: FriendGraph): GraphStats {
  const sets = graph.map((friends) => new Set(friends));
  let degrees = 0, edges = 0, mutual = 0, clustering = 0;
  for (const [u, friends] of graph.entries()) {
    degrees += friends.length;
    let linkedPairs = 0;
    for (const [i, v] of friends.entries()) {
      for (const w of friends.slice(i + 1)) if (sets[v]!.has(w)) linkedPairs++;
      if (v > u) {
        edges++;
        for (const w of friends) if (sets[v]!.has(w)) mutual++;
      }
    }
    const possible = (friends.length * (friends.length - 1)) / 2;
    clustering += possible > 0 ? linkedPairs / possible : 0;
  }
  return { meanFriends: degrees / graph.length, meanMutualFriends: edges > 0 ? mutual / edges : 0, clustering: clustering / graph.length };
}
