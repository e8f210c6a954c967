import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's PostgreSQL 15 (`apt-get install postgresql`); PG_BIN points elsewhere. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  readonly port: number;
  /** A URL for `database` as the superuser; trust authentication ignores the password in it. */
  url(database: string, password?: string): string;
  /** Creates an empty database and returns its URL, so each test starts from nothing. */
  freshDatabase(): Promise<string>;
  /** Fast shutdown (SIGINT): open connections are closed, the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL on 127.0.0.1: a temp directory, a free port, its socket in the directory,
 * fsync off. PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
 * No system service is involved.
 */
export async function startPostgres(): Promise<PostgresServer> {
  for (const tool of ['initdb', 'postgres']) {
    try {
      accessSync(join(PG_BIN, tool), constants.X_OK);
    } catch {
      throw new Error(
        `PostgreSQL 15 is missing (${join(PG_BIN, tool)}): the broker and multi-node end-to-end tests start their own server. ` +
          'Run: sudo apt-get update && sudo apt-get install -y postgresql   (or set PG_BIN to its bin directory)',
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'peerwall-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
  const data = join(dir, 'data');
  const [initdb, initArgs] = command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let databases = 0;

  async function start(): Promise<void> {
    if (child && child.exitCode === null) return;
    const [postgres, args] = command('postgres', [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ]);
    const output: string[] = [];
    child = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start:\n${output.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // runuser does not pass signals on; the postmaster's pid is the first line of postmaster.pid.
    // Without the file it is shutting down already (a Ctrl-C reached its process group too).
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGINT');
    } catch {
      // Exiting already: wait for it below.
    }
    await exited;
  }

  function url(database: string, password?: string): string {
    const user = password === undefined ? 'postgres' : `postgres:${encodeURIComponent(password)}`;
    return `postgres://${user}@127.0.0.1:${port}/${database}`;
  }

  await start();
  return {
    port,
    url,
    async freshDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idOf(flag: '-u' | '-g', user: string): number {
  const answer = spawnSync('id', [flag, user], { encoding: 'utf8' });
  const id = Number(answer.stdout.trim());
  if (answer.status !== 0 || !Number.isInteger(id)) throw new Error(`There is no "${user}" system user; it comes with apt-get install postgresql.`);
  return id;
}
const uidOf = (user: string) => idOf('-u', user);
const gidOf = (user: string) => idOf('-g', user);

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
