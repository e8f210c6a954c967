import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '../../tests/support/postgres-server';
import { startRedis, type TestRedis } from '../../tests/support/redis-server';
import { NginxProcess } from './nginx-process';
import { NodeProcess } from './node-process';

/** As many nodes as compose.yaml runs (deploy/nginx.conf's upstream). */
export const NODE_COUNT = 3;

export interface LocalNodes {
  /** nginx's address: what a Peerwall extension takes as its Broker URL. */
  url: string;
  /** The temp directory holding nginx's config and logs and each node's data and log. */
  dir: string;
  nodes: readonly NodeProcess[];
  redis: TestRedis;
  postgres: PostgresServer;
  /** Stops nginx, the nodes, Redis and PostgreSQL, and removes every temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  /** Added to each node's environment (e.g. BCRYPT_COST, LOG_LEVEL). */
  env?: Readonly<Record<string, string>>;
}

/**
 * What compose.yaml runs, without Docker: PostgreSQL 15 and redis-server (tests/support, loopback, temp dirs),
 * three broker nodes sharing them with one JWT_SECRET and TRUST_PROXY=1, and nginx in front configured from
 * deploy/nginx.conf. Everything listens on 127.0.0.1 on free ports. docs/broker.md#several-nodes-without-docker.
 */
export async function launchBrokerNodes(options: LaunchOptions = {}): Promise<LocalNodes> {
  NginxProcess.require();
  const dir = mkdtempSync(join(tmpdir(), 'peerwall-nodes-'));
  const started: { redis?: TestRedis; postgres?: PostgresServer; nodes: NodeProcess[]; nginx?: NginxProcess } = { nodes: [] };
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Each step runs even if one before it failed, so nothing is left running or on disk.
      const results = await Promise.allSettled([started.nginx?.stop(), ...started.nodes.map((node) => node.stop())]);
      results.push(...(await Promise.allSettled([started.redis?.close(), started.postgres?.destroy()])));
      rmSync(dir, { recursive: true, force: true });
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    })());
  try {
    const [redis, postgres] = await Promise.allSettled([startRedis(), startPostgres()]);
    if (redis.status === 'fulfilled') started.redis = redis.value;
    if (postgres.status === 'fulfilled') started.postgres = postgres.value;
    if (redis.status === 'rejected') throw redis.reason;
    if (postgres.status === 'rejected') throw postgres.reason;
    const env = {
      DATABASE_URL: await postgres.value.freshDatabase(),
      REDIS_URL: redis.value.url,
      JWT_SECRET: randomBytes(48).toString('base64'),
      // Only nginx reaches the nodes, so its one hop names the client (as in compose.yaml).
      TRUST_PROXY: '1',
      ...options.env,
    };
    // One after the other: the first applies the schema under its advisory lock, the next finds it done.
    for (let i = 1; i <= NODE_COUNT; i++) {
      const dataDir = join(dir, `node-${i}`);
      mkdirSync(dataDir, { mode: 0o700 });
      started.nodes.push(await NodeProcess.start({ ...env, DATA_DIR: dataDir }, join(dir, `node-${i}.log`)));
    }
    const port = await freePort();
    started.nginx = await NginxProcess.start({ port, upstreams: started.nodes.map((node) => node.port), dir });
    return { url: `http://127.0.0.1:${port}`, dir, nodes: started.nodes, redis: redis.value, postgres: postgres.value, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
