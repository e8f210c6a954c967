import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FailoverForwarder } from '../e2e/support/failover-forwarder';
import { RawPeer, account, startBroker, type TestBroker } from './helpers';

/** A TCP server on 127.0.0.1 that greets each connection with its name and can be killed as a process would be. */
class NamedServer {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(readonly name: string) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.write(`${name}\n`);
      socket.on('data', (data) => socket.write(`${name} got ${data.toString()}`));
    });
  }

  static async start(name: string): Promise<NamedServer> {
    const named = new NamedServer(name);
    await new Promise<void>((resolve) => named.server.listen(0, '127.0.0.1', resolve));
    const address = named.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    named.port = address.port;
    return named;
  }

  /** Its port, kept after it was killed. */
  port = 0;

  /** Stops listening and drops every connection without a word, as SIGKILL would. */
  async kill(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client of the forwarder that collects what it receives and notes when it is closed. */
function dial(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.on('data', (data) => (received += data.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const until = async (text: string): Promise<string> => {
    const deadline = Date.now() + 3_000;
    while (!received.includes(text)) {
      if (Date.now() > deadline) throw new Error(`waited for ${JSON.stringify(text)}, got ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return received;
  };
  return { socket, closed, until };
}

const portOf = (url: string) => Number(new URL(url).port);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('FailoverForwarder (the e2e load balancer in front of broker nodes)', () => {
  it('sends every connection to the first node while it accepts, and bytes pass both ways', async () => {
    const [one, two] = await Promise.all([NamedServer.start('one'), NamedServer.start('two')]);
    const forwarder = await FailoverForwarder.start([one.port, two.port]);
    cleanups.push(() => one.kill(), () => two.kill(), () => forwarder.close());

    const client = dial(portOf(forwarder.url));
    client.socket.write('hello');
    expect(await client.until('one got hello')).toBe('one\none got hello');
    const second = dial(portOf(forwarder.url));
    await second.until('one\n');
    expect([forwarder.routedTo(one.port), forwarder.routedTo(two.port)]).toEqual([2, 0]);
    client.socket.destroy();
    second.socket.destroy();
  });

  it('closes a client whose node died, and takes its next connection to the second node', async () => {
    const [one, two] = await Promise.all([NamedServer.start('one'), NamedServer.start('two')]);
    const forwarder = await FailoverForwarder.start([one.port, two.port]);
    cleanups.push(() => two.kill(), () => forwarder.close());

    const client = dial(portOf(forwarder.url));
    await client.until('one\n');
    await one.kill();
    await client.closed;

    const again = dial(portOf(forwarder.url));
    again.socket.write('back');
    expect(await again.until('two got back')).toBe('two\ntwo got back');
    expect([forwarder.routedTo(one.port), forwarder.routedTo(two.port)]).toEqual([1, 1]);
    again.socket.destroy();
  });

  it('closes the connection when no node accepts it', async () => {
    const one = await NamedServer.start('one');
    await one.kill();
    const forwarder = await FailoverForwarder.start([one.port]);
    cleanups.push(() => forwarder.close());

    const client = dial(portOf(forwarder.url));
    await client.closed;
    expect(forwarder.routedTo(one.port)).toBe(0);
  });

  it('carries a broker’s HTTP API and its signalling WebSocket upgrade', async () => {
    const broker: TestBroker = await startBroker();
    const forwarder = await FailoverForwarder.start([portOf(broker.url)]);
    cleanups.push(() => broker.close(), () => forwarder.close());
    const token = await account(broker.app, 'alice');

    const health = await fetch(`${forwarder.url}/health`);
    expect(health.status).toBe(200);
    const peer = RawPeer.connect(broker.wsUrl('alice', token).replace(`:${portOf(broker.url)}/`, `:${portOf(forwarder.url)}/`));
    await peer.opened();
    peer.close();
    await peer.closed;
    expect(forwarder.routedTo(portOf(broker.url))).toBe(2);
  });
});
