import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startPostgres, type PostgresServer } from '../../support/postgres-server';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { BrokerProcess } from './broker';

/**
 * Several broker nodes as docs/broker.md "Several nodes" deploys them: one redis-server and one PostgreSQL 15,
 * started by the test on 127.0.0.1 in temp dirs, and every node on the same `REDIS_URL`, `DATABASE_URL` and
 * `JWT_SECRET` (a token one node made is valid on the others). Each node logs to `broker-<n>.log`.
 */
export class BrokerNodes {
  private constructor(
    readonly redis: TestRedis,
    readonly postgres: PostgresServer,
    readonly nodes: readonly BrokerProcess[],
  ) {}

  static async start(count: number, artifactsDir: string): Promise<BrokerNodes> {
    const [redis, postgres] = await Promise.allSettled([startRedis(), startPostgres()]);
    if (redis.status === 'rejected' || postgres.status === 'rejected') {
      if (redis.status === 'fulfilled') await redis.value.close();
      if (postgres.status === 'fulfilled') await postgres.value.destroy();
      throw redis.status === 'rejected' ? redis.reason : (postgres as PromiseRejectedResult).reason;
    }
    const env = {
      REDIS_URL: redis.value.url,
      DATABASE_URL: await postgres.value.freshDatabase(),
      JWT_SECRET: randomBytes(48).toString('base64'),
    };
    const nodes = Array.from({ length: count }, (_, i) => new BrokerProcess(path.join(artifactsDir, `broker-${i + 1}.log`), env));
    const cluster = new BrokerNodes(redis.value, postgres.value, nodes);
    // One after the other: the first applies the schema under its advisory lock, the next finds it done.
    try {
      for (const node of nodes) await node.start();
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
    await Promise.all([this.redis.close(), this.postgres.destroy()]);
  }
}
