/** The client side of the broker benchmarks: server processes, opening sockets, heartbeats, percentiles. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { benchHandle, type ChildMessage, type ParentMessage } from './protocol';

export type Kind = 'ours' | 'peer';
const CONNECT_CONCURRENCY = 200;
const HEARTBEAT_MS = 5_000;

/** bench/server-process.ts in its own process, so its memory can be measured alone. */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (message: ChildMessage) => void>();
  readonly ready: Promise<number>;

  constructor(kind: Kind, count: number, env: Record<string, string> = {}) {
    this.child = fork(fileURLToPath(new URL('./server-process.ts', import.meta.url)), [kind, String(count)], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = this.request(undefined, 'ready').then((message) => (message as { port: number }).port);
    this.child.on('message', (message: ChildMessage) => {
      this.waiting.get(message.type)?.(message);
      this.waiting.delete(message.type);
    });
  }

  request(message: ParentMessage | undefined, answer: ChildMessage['type']): Promise<ChildMessage> {
    const reply = new Promise<ChildMessage>((resolve) => this.waiting.set(answer, resolve));
    if (message) this.child.send(message);
    return reply;
  }

  async memory(): Promise<Extract<ChildMessage, { type: 'memory' }>> {
    await sleep(500);
    return (await this.request({ type: 'memory' }, 'memory')) as Extract<ChildMessage, { type: 'memory' }>;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ParentMessage);
    await Promise.race([exited, sleep(5_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('open timed out')), 30_000);
    socket.once('message', (data) => {
      clearTimeout(timer);
      const frame = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (frame.type === 'OPEN') resolve(socket);
      else reject(new Error(`refused: ${JSON.stringify(frame)}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export const wsUrl = (port: number, id: string, token: string) =>
  `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${encodeURIComponent(token)}`;

/** Opens `count` sockets, 200 at a time; socket i is handle `first + i`. */
export async function openMany(port: number, tokens: string[], kind: Kind, count: number, first = 0): Promise<{ sockets: WebSocket[]; failed: number; seconds: number }> {
  const sockets: WebSocket[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < count) {
      const i = first + next++;
      const id = kind === 'ours' ? benchHandle(i) : `p${i}`;
      try {
        sockets.push(await open(wsUrl(port, id, tokens[i] ?? `t${i}`)));
      } catch {
        failed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return { sockets, failed, seconds: (performance.now() - started) / 1000 };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** PeerJS clients send HEARTBEAT every 5 s; spread over the interval, as independent clients would. */
export function startHeartbeats(sockets: WebSocket[]): () => void {
  const TICK_MS = 50;
  const perTick = Math.ceil(sockets.length / (HEARTBEAT_MS / TICK_MS));
  let next = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && sockets.length > 0; i++) {
      sockets[next % sockets.length]!.send('{"type":"HEARTBEAT"}');
      next += 1;
    }
  }, TICK_MS);
  return () => clearInterval(timer);
}

