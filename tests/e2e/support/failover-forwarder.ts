import { connect, createServer, type Server, type Socket } from 'node:net';

const CONNECT_TIMEOUT_MS = 2_000;

/**
 * A TCP forwarder on 127.0.0.1 in front of several broker nodes, as a load balancer with health checks would
 * be: each new connection goes to the first node that accepts it, in the order given, so everything reaches
 * node 1 while it is up and node 2 once it refuses. Bytes pass as they are, so HTTP and the WebSocket upgrade on
 * `/peerjs` work through it; when either side of a pair closes, the other is closed too, as a balancer ends a
 * client's connection when its upstream dies.
 */
export class FailoverForwarder {
  private readonly routed = new Map<number, number>();
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly targets: readonly number[],
  ) {}

  static async start(targets: readonly number[]): Promise<FailoverForwarder> {
    const server = createServer({ pauseOnConnect: true });
    const forwarder = new FailoverForwarder(server, targets);
    server.on('connection', (client) => void forwarder.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return forwarder;
  }

  /** `http://127.0.0.1:PORT`, what a user types into **Broker URL**. */
  get url(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('The forwarder is not listening.');
    return `http://127.0.0.1:${address.port}`;
  }

  /** How many connections went to `port` so far. */
  routedTo(port: number): number {
    return this.routed.get(port) ?? 0;
  }

  private async forward(client: Socket): Promise<void> {
    this.open.add(client);
    client.once('close', () => this.open.delete(client));
    client.on('error', () => client.destroy());
    for (const port of this.targets) {
      if (client.destroyed) return;
      const upstream = await reach(port);
      if (!upstream) continue;
      this.routed.set(port, this.routedTo(port) + 1);
      this.open.add(upstream);
      upstream.once('close', () => {
        this.open.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      // The client was paused on connect, so nothing it sent is lost while the upstream was chosen.
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    client.destroy(); // no node accepts: the client sees its connection closed, as behind a balancer with none up
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A connection to 127.0.0.1:`port`, or undefined when nothing accepts it there. */
function reach(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const fail = () => {
      socket.destroy();
      resolve(undefined);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, fail);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}
