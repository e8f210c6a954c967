/**
 * The cross-node part of `npm run bench:broker`: two broker nodes (separate processes) on one Redis and one
 * data dir, `perNode` authenticated sockets on each with heartbeats, then OFFER relay latency between two
 * peers on node 1 (same node) and from a peer on node 1 to one on node 2 (cross node), sample by sample in
 * turn so both see the same machine. Also each node's RSS per socket and Redis's memory per socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { startRedis } from '../tests/support/redis-server';
import { ServerProcess, open, openMany, percentile, sleep, startHeartbeats, wsUrl } from './broker-client';
import { benchHandle } from './protocol';

export interface CrossNodeResult {
  perNode: number;
  failedOpens: number;
  openSeconds: number;
  sameNode: { p50: number; p99: number };
  crossNode: { p50: number; p99: number };
  samples: number;
  rssPerSocket: number;
  redisBytesPerSocket: number;
}

/** One OFFER from `a` to `dst` (on socket `b`); resolves with its latency in ms. */
function offer(a: WebSocket, b: WebSocket, dst: string, seq: number): Promise<number> {
  const sent = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`OFFER ${seq} to ${dst} was not relayed within 5 s`)), 5_000);
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as { type: string; payload?: { seq?: number } };
      if (frame.type !== 'OFFER' || frame.payload?.seq !== seq) return;
      clearTimeout(timer);
      b.off('message', onMessage);
      resolve(performance.now() - sent);
    };
    b.on('message', onMessage);
    a.send(JSON.stringify({ type: 'OFFER', dst, payload: { seq, sdp: 'v=0' } }));
  });
}

/** A pair whose second peer lists the first, so OFFERs are relayed. */
async function pair(a: { port: number; i: number }, b: { port: number; i: number }, tokens: string[]) {
  const [aId, bId] = [benchHandle(a.i), benchHandle(b.i)];
  const from = await open(wsUrl(a.port, aId, tokens[a.i] ?? ''));
  const to = await open(wsUrl(b.port, bId, tokens[b.i] ?? ''));
  to.send(JSON.stringify({ type: 'PW_ALLOW', payload: { handles: [aId] } }));
  return { from, to, dst: bId };
}

async function redisUsedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export async function crossNode(perNode: number, samples: number, gapMs: number): Promise<CrossNodeResult> {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'peerwall-bench-nodes-'));
  const env = { BENCH_DATA_DIR: dataDir, BENCH_REDIS_URL: redis.url };
  // Node 1 seeds 2 × perNode accounts (+ extras) and the secret; node 2 starts on them.
  const one = new ServerProcess('ours', 2 * perNode, env);
  let two: ServerProcess | undefined;
  const sockets: WebSocket[] = [];
  try {
    const portOne = await one.ready;
    two = new ServerProcess('ours', 2 * perNode, env);
    const portTwo = await two.ready;
    const tokens = ((await one.request({ type: 'tokens', count: 2 * perNode + 4 }, 'tokens')) as { tokens: string[] }).tokens;
    const before = [await one.memory(), await two.memory()];
    const redisBefore = await redisUsedMemory(client);
    const started = performance.now();
    const opened = await Promise.all([openMany(portOne, tokens, 'ours', perNode, 0), openMany(portTwo, tokens, 'ours', perNode, perNode)]);
    const openSeconds = (performance.now() - started) / 1000;
    for (const { sockets: some } of opened) sockets.push(...some);
    const stopHeartbeats = startHeartbeats(sockets);
    try {
      const after = [await one.memory(), await two.memory()];
      const redisAfter = await redisUsedMemory(client);
      const base = 2 * perNode;
      const same = await pair({ port: portOne, i: base }, { port: portOne, i: base + 1 }, tokens);
      const cross = await pair({ port: portOne, i: base + 2 }, { port: portTwo, i: base + 3 }, tokens);
      await sleep(200);
      const sameNode: number[] = [];
      const crossNode: number[] = [];
      for (let seq = 0; seq < samples; seq++) {
        sameNode.push(await offer(same.from, same.to, same.dst, seq));
        await sleep(gapMs);
        crossNode.push(await offer(cross.from, cross.to, cross.dst, seq));
        await sleep(gapMs);
      }
      for (const socket of [same.from, same.to, cross.from, cross.to]) socket.close();
      sameNode.sort((x, y) => x - y);
      crossNode.sort((x, y) => x - y);
      const count = Math.max(1, sockets.length);
      return {
        perNode,
        failedOpens: 2 * perNode - sockets.length,
        openSeconds,
        sameNode: { p50: percentile(sameNode, 50), p99: percentile(sameNode, 99) },
        crossNode: { p50: percentile(crossNode, 50), p99: percentile(crossNode, 99) },
        samples,
        rssPerSocket: (after[0]!.rss - before[0]!.rss + after[1]!.rss - before[1]!.rss) / count,
        redisBytesPerSocket: (redisAfter - redisBefore) / count,
      };
    } finally {
      stopHeartbeats();
    }
  } finally {
    for (const socket of sockets) socket.terminate();
    await Promise.all([one.stop(), two?.stop()]);
    client.disconnect();
    await redis.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
