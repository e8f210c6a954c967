/**
 * One server under benchmark, in its own process so its memory can be measured alone.
 * `tsx bench/server-process.ts ours|peer N` — talks to bench/broker.ts over IPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { PeerServer } from 'peer';
import { DATABASE_FILE, buildApp } from '../broker/app';
import { loadConfig } from '../broker/config';
import { openDatabase } from '../broker/db';
import { createSqliteAccountStore } from '../broker/sqlite-accounts';
import { BENCH_PASSWORD, EXTRA_ACCOUNTS, benchHandle, type ChildMessage, type ParentMessage } from './protocol';


const send = (message: ChildMessage) => process.send?.(message);

async function startOurs(count: number): Promise<{ port: number; tokens(n: number): string[]; stop(): Promise<void> }> {
  // Several nodes (bench/cross-node.ts) share one data dir and one Redis.
  const dataDir = process.env.BENCH_DATA_DIR || mkdtempSync(join(tmpdir(), 'peerwall-bench-'));
  const config = loadConfig({
    REDIS_URL: process.env.BENCH_REDIS_URL,
    DATA_DIR: dataDir,
    PORT: '0',
    BCRYPT_COST: process.env.BCRYPT_COST ?? '12',
    MAX_CONNECTIONS: String(count + 100),
    LOG_LEVEL: 'warn',
    STUN_URLS: '',
  });
  // Seed every account with one precomputed hash: hashing 10 000 passwords is not what we measure.
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  const accounts = createSqliteAccountStore(db);
  const hash = bcrypt.hashSync(BENCH_PASSWORD, config.bcryptCost);
  // The SQLite store runs each statement before its promise returns, so the inserts share one transaction.
  const created: Array<Promise<boolean>> = [];
  db.transaction(() => {
    for (let i = 0; i < count + EXTRA_ACCOUNTS; i++) created.push(accounts.create(benchHandle(i), hash));
  })();
  await Promise.all(created);
  await accounts.close();
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return {
    port: address.port,
    tokens: (n) => Array.from({ length: n }, (_, i) => app.tokens.issue(app.tokens.startSession(benchHandle(i), 1)).token),
    async stop() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startPeer(count: number): Promise<{ port: number; stop(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    PeerServer({ host: '127.0.0.1', port: 0, path: '/', key: 'peerjs', concurrent_limit: count + 100 }, (s) =>
      resolve(s as Server),
    );
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  const [kind, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  if ((kind !== 'ours' && kind !== 'peer') || !Number.isInteger(count)) throw new Error('usage: server-process.ts ours|peer N');
  const server: { port: number; tokens?: (n: number) => string[]; stop(): Promise<void> } =
    kind === 'ours' ? await startOurs(count) : await startPeer(count);
  // The server's own event-loop delay since the previous 'memory' request: machine-independent
  // evidence of whether the server (not the shared machine) stalled.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'memory') {
      const loopP99 = loop.percentile(99) / 1e6;
      const loopMax = loop.max / 1e6;
      globalThis.gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed, loopP99, loopMax });
      loop.reset();
    } else if (message.type === 'tokens' && server.tokens) {
      send({ type: 'tokens', tokens: server.tokens(message.count) });
    } else if (message.type === 'stop') {
      void server.stop().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: server.port });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
