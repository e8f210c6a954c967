import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_LINE = /Peerwall broker listening on http:\/\/127\.0\.0\.1:(\d+)/;
const NODE_ID = /"node":"([0-9a-f]+)"[^\n]*"msg":"signalling shared through Redis"/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** One broker node (`node --import tsx broker/server.ts`) on a free loopback port, its output in `logFile`. */
export class NodeProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** The port it listens on, on 127.0.0.1. */
    readonly port: number,
    /** Its id in Redis (`pw:node:<id>`, the `node` of `pw:peer:<handle>`). */
    readonly id: string,
    readonly logFile: string,
  ) {}

  static async start(env: Readonly<Record<string, string>>, logFile: string): Promise<NodeProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'broker/server.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile);
    let output = '';
    const ready = new Promise<{ port: number; id: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`A broker node did not start within ${START_TIMEOUT_MS / 1000} s; see ${logFile}.`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        // Only until it is ready: then the log file alone holds its output.
        if (output.length > 1_000_000) return;
        output += chunk.toString();
        const port = READY_LINE.exec(output)?.[1];
        const id = NODE_ID.exec(output)?.[1];
        if (port && id) {
          clearTimeout(timer);
          resolve({ port: Number(port), id });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`A broker node exited before it was ready (code ${code}, signal ${signal}):\n${output.slice(-2_000)}`));
      });
    });
    try {
      const { port, id } = await ready;
      output = '';
      return new NodeProcess(child, port, id, logFile);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, as an operator's stop: the node lets go of its sockets; SIGKILL after 10 s. */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** SIGKILL, as a crash or a lost machine: no shutdown, no goodbye to Redis. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
