import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths';

const READY_LINE = /Peerwall broker listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The real broker (`tsx broker/server.ts`) as a child process on an ephemeral loopback port with a temp
 * DATA_DIR. `stop()` + `start()` restart it on the same port and data, as an operator restart would.
 */
export class BrokerProcess {
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'peerwall-e2e-broker-'));
  private child: ChildProcess | undefined;
  private port = 0;
  private log = '';

  /**
   * `logFile`, if given, receives everything the broker prints. `env` adds to (or overrides) its environment:
   * a node of several gets `REDIS_URL`, `DATABASE_URL` and the `JWT_SECRET` all nodes share.
   */
  constructor(
    private readonly logFile?: string,
    private readonly env: Readonly<Record<string, string>> = {},
  ) {}

  /** The port it listens on (the same after a restart). */
  get listeningPort(): number {
    if (this.port === 0) throw new Error('The broker has not been started yet.');
    return this.port;
  }

  /** `http://127.0.0.1:PORT`, what a user types into **Broker URL**. */
  get url(): string {
    if (this.port === 0) throw new Error('The broker has not been started yet.');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the broker printed, for failure messages. */
  get output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('The broker is already running.');
    const child = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        BCRYPT_COST: '4',
        // No public STUN server: every ICE candidate stays inside the test's own namespace.
        STUN_URLS: '',
        NODE_ENV: 'test',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // After a restart the log still holds the last run's ready line: only this run's output counts.
    const startedAt = this.log.length;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The broker did not print its ready line within ${START_TIMEOUT_MS / 1000} s. Output:\n${this.log}`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer): void => {
        this.log += chunk.toString();
        if (this.logFile) appendFileSync(this.logFile, chunk);
        const match = READY_LINE.exec(this.log.slice(startedAt));
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The broker exited before it was ready (code ${code}, signal ${signal}). Output:\n${this.log}`));
      });
    }).catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
    const listening = new URL(url);
    if (listening.hostname !== '127.0.0.1') {
      throw new Error(`The broker listens on ${url}, not on 127.0.0.1 as the suite asked.`);
    }
    this.port = Number(listening.port);
  }

  /** Sends SIGTERM and waits for a clean exit; throws if the broker does not exit cleanly. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) {
      throw new Error(`The broker did not exit cleanly on SIGTERM (exit code ${code}). Output:\n${this.log}`);
    }
  }

  /** Kills it with SIGKILL, as a crash or a lost machine would end it: no shutdown, no goodbye to Redis. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) throw new Error('The broker is not running.');
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The broker had already exited. Output:\n${this.log}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function startBroker(): Promise<BrokerProcess> {
  const broker = new BrokerProcess();
  await broker.start();
  return broker;
}
