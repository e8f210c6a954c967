import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { describeMode, SignallingProxy, type ProxyMode } from '../e2e/support/signalling-proxy';

/** A stand-in broker: answers HTTP with the path it was asked for, and records every frame its sockets receive. */
class FakeBroker {
  readonly received: string[] = [];
  readonly sockets: WebSocket[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor() {
    this.server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`broker saw ${request.method} ${request.url}`);
    });
    this.server.on('upgrade', (request, socket, head) =>
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        this.sockets.push(ws);
        ws.on('message', (data) => this.received.push(String(data)));
        ws.send(JSON.stringify({ type: 'OPEN' }));
      }),
    );
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const frame = (type: string, n = 0): string => JSON.stringify({ type, n });
const typesOf = (frames: string[]): string[] => frames.map((text) => {
  const { type, n } = JSON.parse(text) as { type: string; n: number };
  return n ? `${type}${n}` : type;
});

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the soak test’s signalling proxy', () => {
  let broker: FakeBroker;
  let brokerUrl: string;
  let proxy: SignallingProxy;
  let client: WebSocket;
  let atClient: string[];

  async function connectClient(): Promise<void> {
    atClient = [];
    client = new WebSocket(`${proxy.url.replace('http', 'ws')}/peerjs?key=peerjs&id=alice&token=t`);
    client.on('message', (data) => atClient.push(String(data)));
    await until(() => atClient.length > 0); // the broker's OPEN came through
  }

  beforeEach(async () => {
    broker = new FakeBroker();
    brokerUrl = await broker.listen();
    proxy = new SignallingProxy(() => brokerUrl, 7);
    await proxy.listen();
  });
  afterEach(async () => {
    client?.terminate();
    await proxy.close();
    await broker.close();
  });

  it('forwards HTTP requests to the broker', async () => {
    const response = await fetch(`${proxy.url}/api/sessions?x=1`);
    expect(await response.text()).toBe('broker saw GET /api/sessions?x=1');
  });

  it('relays frames both ways in order when it passes everything', async () => {
    await connectClient();
    for (const type of ['OFFER', 'HEARTBEAT', 'CANDIDATE']) client.send(frame(type));
    broker.sockets[0]!.send(frame('ANSWER'));
    await until(() => broker.received.length === 3 && atClient.length === 2);
    expect(typesOf(broker.received)).toEqual(['OFFER', 'HEARTBEAT', 'CANDIDATE']);
    expect(typesOf(atClient)).toEqual(['OPEN', 'ANSWER']);
    expect(proxy.connectedPeers()).toEqual(['alice']);
  });

  it('drops only the signalling frames its mode names, up to its limit', async () => {
    await connectClient();
    proxy.setMode({ kind: 'drop', types: ['OFFER'], directions: ['to-broker'], limit: 1 });
    for (const type of ['OFFER', 'HEARTBEAT', 'CANDIDATE', 'OFFER']) client.send(frame(type));
    await until(() => broker.received.length === 3);
    expect(typesOf(broker.received)).toEqual(['HEARTBEAT', 'CANDIDATE', 'OFFER']);
    expect(proxy.frames.map((f) => `${f.type} ${f.action}`)).toEqual(['OFFER dropped', 'CANDIDATE passed', 'OFFER passed']);
  });

  it('duplicates frames to the peer', async () => {
    await connectClient();
    proxy.setMode({ kind: 'duplicate', types: ['ANSWER'], directions: ['to-peer'] });
    broker.sockets[0]!.send(frame('ANSWER'));
    broker.sockets[0]!.send(frame('CANDIDATE'));
    await until(() => atClient.length === 4);
    expect(typesOf(atClient)).toEqual(['OPEN', 'ANSWER', 'ANSWER', 'CANDIDATE']);
  });

  it('delays frames and keeps the socket’s order behind them', async () => {
    await connectClient();
    proxy.setMode({ kind: 'delay', minMs: 300, maxMs: 300, types: ['CANDIDATE'] });
    const sentAt = Date.now();
    client.send(frame('CANDIDATE', 1));
    client.send(frame('CANDIDATE', 2));
    client.send(frame('HEARTBEAT'));
    await until(() => broker.received.length === 3);
    // Latency, not a queue: three frames sent together all arrive about 300 ms later, in order.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(290);
    expect(Date.now() - sentAt).toBeLessThan(550);
    expect(typesOf(broker.received)).toEqual(['CANDIDATE1', 'CANDIDATE2', 'HEARTBEAT']);
  });

  it('reorders: a held frame goes out after the next signalling frame', async () => {
    await connectClient();
    proxy.setMode({ kind: 'reorder', holdMs: 2_000, types: ['OFFER'], limit: 1 });
    client.send(frame('OFFER', 1));
    client.send(frame('HEARTBEAT'));
    client.send(frame('CANDIDATE', 2));
    await until(() => broker.received.length === 3);
    expect(typesOf(broker.received)).toEqual(['HEARTBEAT', 'CANDIDATE2', 'OFFER1']);
  });

  it('releases a held frame after holdMs when nothing follows it', async () => {
    await connectClient();
    proxy.setMode({ kind: 'reorder', holdMs: 200, types: ['OFFER'] });
    client.send(frame('OFFER'));
    await until(() => broker.received.length === 1);
    expect(typesOf(broker.received)).toEqual(['OFFER']);
  });

  it('tells a listener about each signalling frame as it relays it', async () => {
    await connectClient();
    const offer = proxy.nextFrame((f) => f.type === 'OFFER', 2_000);
    client.send(frame('OFFER'));
    expect(await offer).toMatchObject({ peer: 'alice', direction: 'to-broker', type: 'OFFER', action: 'passed' });
  });

  it('refuses sockets and answers 502 while the broker is down, and relays again once it is back', async () => {
    await broker.close();
    const refused = new WebSocket(`${proxy.url.replace('http', 'ws')}/peerjs?key=peerjs&id=alice&token=t`);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode));
      refused.once('error', () => resolve(undefined));
    });
    expect(status).toBe(502);
    expect((await fetch(`${proxy.url}/api/sessions`)).status).toBe(502);

    broker = new FakeBroker();
    brokerUrl = await broker.listen();
    await connectClient();
    client.send(frame('OFFER'));
    await until(() => broker.received.length === 1);
  });

  it('closes the peer’s socket when the broker’s closes', async () => {
    await connectClient();
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    broker.sockets[0]!.close(1001, 'going away');
    expect(await closed).toBe(1001);
  });

  it.each<[string, ProxyMode, string]>([
    ['pass', { kind: 'pass' }, 'pass'],
    ['drop', { kind: 'drop', types: ['OFFER'], directions: ['to-peer'], limit: 1 }, 'drop OFFER to-peer (first 1)'],
    ['delay', { kind: 'delay', minMs: 500, maxMs: 3_000 }, 'delay OFFER+ANSWER+CANDIDATE to-broker+to-peer (all) 500–3000 ms'],
  ])('describes its %s mode for the soak report', (_name, mode, text) => {
    expect(describeMode(mode)).toBe(text);
  });
});
