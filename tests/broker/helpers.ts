import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { buildApp, type AppDeps } from '../../broker/app';
import { loadConfig, type BrokerConfig } from '../../broker/config';

export const PASSWORD = 'correct horse battery';

let sharedRedisUrl: string | undefined;

/** From now on in this test file, brokers share signalling state through this Redis (REDIS_URL). */
export function useRedisForBrokers(url: string): void {
  sharedRedisUrl = url;
}

/** A config like production's but with a fresh temp DATA_DIR, an ephemeral port and cheap bcrypt. */
export function testConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerwall-broker-'));
  return { ...loadConfig({ DATA_DIR: dataDir, PORT: '0', BCRYPT_COST: '4' }), redisUrl: sharedRedisUrl, ...overrides };
}

export interface TestBroker {
  app: FastifyInstance;
  config: BrokerConfig;
  /** http://127.0.0.1:PORT */
  url: string;
  wsUrl(id: string, token: string | undefined, key?: string): string;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** Builds the app and listens on 127.0.0.1 on an ephemeral port, like server.ts does. */
export async function startBroker(overrides: Partial<BrokerConfig> = {}, deps: AppDeps = {}): Promise<TestBroker> {
  const config = testConfig(overrides);
  const app = await buildApp(config, { logger: false, ...deps });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    url,
    wsUrl(id, token, key = 'peerjs') {
      const query = new URLSearchParams({ key, id });
      if (token !== undefined) query.set('token', token);
      return `ws://127.0.0.1:${address.port}/peerjs?${query.toString()}`;
    },
    async close(options = {}) {
      await app.close();
      if (!options.keepData) rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export async function createAccount(app: FastifyInstance, handle: string, password = PASSWORD): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/api/accounts', payload: { handle, password } });
  if (response.statusCode !== 201) throw new Error(`register ${handle}: ${response.statusCode} ${response.body}`);
}

export async function signIn(app: FastifyInstance, handle: string, password = PASSWORD): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/sessions', payload: { handle, password } });
  if (response.statusCode !== 200) throw new Error(`sign in ${handle}: ${response.statusCode} ${response.body}`);
  return (response.json() as { token: string }).token;
}

/** Registers and signs in; returns the token. */
export async function account(app: FastifyInstance, handle: string): Promise<string> {
  await createAccount(app, handle);
  return signIn(app, handle);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
}

/**
 * POSTs JSON to a listening broker from the local address `from` (any of 127.0.0.0/8 on Linux),
 * so a test can be several clients at once without trusting a proxy header.
 */
export function postFrom(from: string, url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, localAddress: from, headers: { 'content-type': 'application/json', ...headers } }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text += chunk));
      answer.on('end', () => {
        const retryAfter = answer.headers['retry-after'];
        resolve({ status: answer.statusCode ?? 0, retryAfter, body: text === '' ? null : (JSON.parse(text) as unknown) });
      });
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

export type Frame = { type: string; src?: string; dst?: string; payload?: unknown };

/** A raw `ws` client speaking the PeerJS protocol; records every frame and the close. */
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    socket.on('error', () => undefined);
  }

  static connect(url: string): RawPeer {
    return new RawPeer(new WebSocket(url));
  }

  /** Resolves with the first recorded frame matching `match`, waiting up to `timeoutMs`. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 3_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async opened(): Promise<void> {
    await this.next((frame) => frame.type === 'OPEN');
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.close();
  }
}

export const ofType = (type: string) => (frame: Frame) => frame.type === type;

/** The `msg` of an ERROR frame. */
export function errorMessage(frame: Frame): string {
  return (frame.payload as { msg: string }).msg;
}
