import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REDIS_SERVER = process.env.REDIS_SERVER_PATH || '/usr/bin/redis-server';

/** A real redis-server on 127.0.0.1, a free port and a temp dir, without persistence. */
export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it; `start` brings it back, empty, on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function requireBinary(): void {
  try {
    accessSync(REDIS_SERVER, constants.X_OK);
  } catch {
    throw new Error(
      `The broker's multi-node tests (broker and end-to-end) need redis-server (${REDIS_SERVER} is missing). ` +
        'Run: sudo apt-get install -y redis-server (or point REDIS_SERVER_PATH at it).',
    );
  }
}

/** A port nobody listens on now: bind port 0, read it, let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function answersPing(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.on('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

export async function startRedis(): Promise<TestRedis> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'peerwall-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    child = spawn(REDIS_SERVER, [...args, '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Empties the server between tests. */
export async function flushRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.flushall();
  client.disconnect();
}

/**
 * Waits until a connection of a broker (connection name `peerwall-broker`) is held by `CLIENT PAUSE … WRITE`:
 * a write it sent is postponed, so the broker is stopped at that await.
 */
export async function untilBrokerWaitsOnPause(client: Redis, timeoutMs = 1_500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = String(await client.call('CLIENT', 'LIST'));
    if (list.split('\n').some((line) => line.includes('name=peerwall-broker ') && /flags=\S*b/.test(line))) return;
    if (Date.now() > deadline) throw new Error(`no broker connection waits on the pause:\n${list}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
