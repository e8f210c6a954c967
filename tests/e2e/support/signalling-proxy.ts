import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';

/**
 * A fault-injecting proxy in front of the broker, on 127.0.0.1: HTTP requests are forwarded as they are, and
 * each PeerJS socket on `/peerjs` is relayed frame by frame, so a test can drop, duplicate, delay or reorder
 * the signalling frames (OFFER, ANSWER, CANDIDATE) in either direction. Users sign in with the proxy's URL as
 * their Broker URL. While the broker is down, the proxy refuses sockets and answers 502, as a stopped broker
 * refuses connections.
 */

/** `to-broker`: a peer host's frame on its way to the broker; `to-peer`: the broker's frame to a peer host. */
export type FrameDirection = 'to-broker' | 'to-peer';

export const SIGNALLING_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE'] as const;

interface FrameFilter {
  /** Frame types the fault applies to; the signalling ones unless a mode says otherwise. */
  types?: readonly string[];
  /** Directions it applies to; both when absent. */
  directions?: readonly FrameDirection[];
  /** At most this many frames are affected (then frames pass again); no limit when absent. */
  limit?: number;
  /** Each matching frame is affected with this chance (drawn from the proxy's seeded random); 1 when absent. */
  probability?: number;
}

export type ProxyMode =
  | { kind: 'pass' }
  | ({ kind: 'drop' } & FrameFilter)
  | ({ kind: 'duplicate'; gapMs?: number } & FrameFilter)
  /** Holds each affected frame for a random time in [minMs, maxMs]; frames of one socket keep their order. */
  | ({ kind: 'delay'; minMs: number; maxMs: number } & FrameFilter)
  /** Holds an affected frame until the next signalling frame of that socket and direction has passed (or `holdMs`). */
  | ({ kind: 'reorder'; holdMs: number } & FrameFilter);

/** One frame the proxy saw, and what it did with it. */
export interface ProxiedFrame {
  peer: string;
  direction: FrameDirection;
  type: string;
  action: 'passed' | 'dropped' | 'duplicated' | 'delayed' | 'reordered';
  at: number;
}

export function describeMode(mode: ProxyMode): string {
  if (mode.kind === 'pass') return 'pass';
  const types = (mode.types ?? SIGNALLING_TYPES).join('+');
  const directions = (mode.directions ?? ['to-broker', 'to-peer']).join('+');
  const amount = `${mode.limit === undefined ? 'all' : `first ${mode.limit}`}${mode.probability === undefined ? '' : ` p=${mode.probability}`}`;
  const extra = mode.kind === 'delay' ? ` ${mode.minMs}–${mode.maxMs} ms` : mode.kind === 'reorder' ? ` hold ≤${mode.holdMs} ms` : '';
  return `${mode.kind} ${types} ${directions} (${amount})${extra}`;
}

/** A small deterministic random source (mulberry32), so a seed replays the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function frameType(text: string): string {
  try {
    const type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : '?';
  } catch {
    return '?';
  }
}

/** Close codes a peer may send (1005, 1006 and 1015 are reserved for reporting). */
function closeOrTerminate(socket: WebSocket, code: number, reason: Buffer): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (socket.readyState === WebSocket.CONNECTING) return socket.terminate();
  const sendable = code === 1000 || (code >= 1001 && code <= 1014 && ![1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  if (sendable) socket.close(code, reason.subarray(0, 123));
  else socket.terminate();
}

/** One direction of one relayed socket: frames leave in order, except where the mode says otherwise. */
class FrameLane {
  /** Frames waiting behind a delayed one, so delays keep the socket's order. */
  private queue: Promise<void> = Promise.resolve();
  private held: { text: string; release: NodeJS.Timeout } | undefined;
  /** When the last delayed frame leaves. */
  private lastReleaseAt = 0;

  constructor(
    private readonly proxy: SignallingProxy,
    private readonly peer: string,
    readonly direction: FrameDirection,
    private readonly target: WebSocket,
  ) {}

  private send(text: string): void {
    if (this.target.readyState === WebSocket.OPEN) this.target.send(text);
  }

  /** Sends now, or after the frames already queued behind a delay. */
  private sendInOrder(text: string): void {
    this.queue = this.queue.then(() => this.send(text));
  }

  forward(text: string): void {
    const type = frameType(text);
    const mode = this.proxy.affects(this.direction, type);
    const note = (action: ProxiedFrame['action']): void => this.proxy.note({ peer: this.peer, direction: this.direction, type, action, at: Date.now() });
    const releaseHeld = (): void => {
      const held = this.held;
      if (!held) return;
      this.held = undefined;
      clearTimeout(held.release);
      this.sendInOrder(held.text);
    };
    switch (mode?.kind) {
      case undefined:
      case 'pass':
        this.sendInOrder(text);
        // A held frame goes out right after the next signalling frame: the two swap places.
        if ((SIGNALLING_TYPES as readonly string[]).includes(type)) releaseHeld();
        note('passed');
        return;
      case 'drop':
        note('dropped');
        return;
      case 'duplicate': {
        this.sendInOrder(text);
        // The copy follows `gapMs` later without holding up the frames behind it.
        const gapMs = mode.gapMs ?? 0;
        if (gapMs === 0) this.sendInOrder(text);
        else setTimeout(() => this.sendInOrder(text), gapMs);
        note('duplicated');
        return;
      }
      case 'delay': {
        // Latency, as on a slow path: each frame arrives `delayMs` after it was sent, but never before the one
        // sent ahead of it (the socket keeps its order). Delays overlap; they do not add up frame after frame.
        const delayMs = mode.minMs + this.proxy.random() * (mode.maxMs - mode.minMs);
        const releaseAt = Math.max(Date.now() + delayMs, this.lastReleaseAt);
        this.lastReleaseAt = releaseAt;
        this.queue = this.queue.then(() => new Promise((resolve) => setTimeout(resolve, releaseAt - Date.now()))).then(() => this.send(text));
        note('delayed');
        return;
      }
      case 'reorder':
        if (this.held) {
          // Two affected frames in a row: the new one overtakes the one held.
          this.sendInOrder(text);
          releaseHeld();
        } else {
          this.held = { text, release: setTimeout(releaseHeld, mode.holdMs) };
        }
        note('reordered');
        return;
    }
  }

  dispose(): void {
    if (this.held) clearTimeout(this.held.release);
    this.held = undefined;
  }
}

export class SignallingProxy {
  /** Every signalling frame (and any other frame a mode's `types` names) the proxy relayed, in order. */
  readonly frames: ProxiedFrame[] = [];
  readonly random: () => number;
  private mode: ProxyMode = { kind: 'pass' };
  private affected = 0;
  private readonly server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly listeners = new Set<(frame: ProxiedFrame) => void>();
  private readonly pairs = new Set<{ client: WebSocket; upstream: WebSocket; lanes: FrameLane[] }>();
  private port = 0;

  /** `upstream()` is read per request, e.g. `() => broker.url`, so a broker restarted on a new port is followed. */
  constructor(
    private readonly upstream: () => string,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
    this.server = createServer((request, response) => {
      const target = new URL(request.url ?? '/', this.upstream());
      const forwarded = httpRequest(target, { method: request.method, headers: { ...request.headers, host: target.host } }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      forwarded.on('error', () => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('The broker behind the soak proxy is not reachable.');
      });
      request.pipe(forwarded);
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.relay(request, socket, head));
  }

  /** `http://127.0.0.1:PORT`, the Broker URL users sign in with. */
  get url(): string {
    if (this.port === 0) throw new Error('The signalling proxy is not listening.');
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** From now on, frames are treated as `mode` says; a mode's `limit` counts from here. */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
    this.affected = 0;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  /** Calls `listener` with every frame the proxy relays or drops; returns the unsubscribe. */
  onFrame(listener: (frame: ProxiedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first frame matching `predicate` from now on, or undefined after `timeoutMs`. */
  nextFrame(predicate: (frame: ProxiedFrame) => boolean, timeoutMs: number): Promise<ProxiedFrame | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(undefined);
      }, timeoutMs);
      const stop = this.onFrame((frame) => {
        if (!predicate(frame)) return;
        clearTimeout(timer);
        stop();
        resolve(frame);
      });
    });
  }

  /** The mode, if the frame is one it affects (and the limit and the draw allow); undefined otherwise. */
  affects(direction: FrameDirection, type: string): ProxyMode | undefined {
    const mode = this.mode;
    if (mode.kind === 'pass') return undefined;
    if (!(mode.types ?? SIGNALLING_TYPES).includes(type)) return undefined;
    if (mode.directions && !mode.directions.includes(direction)) return undefined;
    if (mode.limit !== undefined && this.affected >= mode.limit) return undefined;
    if (mode.probability !== undefined && this.random() >= mode.probability) return undefined;
    this.affected += 1;
    return mode;
  }

  /** @internal Called by the lanes. */
  note(frame: ProxiedFrame): void {
    const mode = this.mode;
    const named = mode.kind !== 'pass' && mode.types !== undefined && mode.types.includes(frame.type);
    if (!(SIGNALLING_TYPES as readonly string[]).includes(frame.type) && !named) return;
    this.frames.push(frame);
    for (const listener of this.listeners) listener(frame);
  }

  /** Opens the broker's socket first: a client is accepted only once the broker accepted it. */
  private relay(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = new URL(request.url ?? '/', this.upstream().replace(/^http/, 'ws'));
    const peer = target.searchParams.get('id') ?? '?';
    const origin = request.headers.origin;
    const upstream = new WebSocket(target, { perMessageDeflate: false, headers: origin ? { origin } : {} });
    const early: string[] = [];
    const collectEarly = (data: RawData): void => {
      early.push(String(data));
    };
    upstream.on('message', collectEarly);
    upstream.once('unexpected-response', (_request, response) => {
      socket.end(`HTTP/1.1 ${response.statusCode ?? 502} Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      upstream.terminate();
    });
    let accepted = false;
    upstream.once('error', () => {
      if (!accepted && socket.writable) {
        socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
    upstream.once('open', () => {
      accepted = true;
      this.sockets.handleUpgrade(request, socket, head, (client) => {
        upstream.off('message', collectEarly);
        const toPeer = new FrameLane(this, peer, 'to-peer', client);
        const toBroker = new FrameLane(this, peer, 'to-broker', upstream);
        const pair = { client, upstream, lanes: [toPeer, toBroker] };
        this.pairs.add(pair);
        for (const text of early) toPeer.forward(text);
        upstream.on('message', (data) => toPeer.forward(String(data)));
        client.on('message', (data) => toBroker.forward(String(data)));
        const end = (): void => {
          this.pairs.delete(pair);
          toPeer.dispose();
          toBroker.dispose();
        };
        upstream.on('close', (code, reason) => {
          end();
          closeOrTerminate(client, code, reason);
        });
        client.on('close', (code, reason) => {
          end();
          closeOrTerminate(upstream, code, reason);
        });
        upstream.on('error', () => client.terminate());
        client.on('error', () => upstream.terminate());
        // The broker may have closed while the client's upgrade was under way.
        if (upstream.readyState !== WebSocket.OPEN) client.terminate();
      });
    });
  }

  /** Peers with a socket relayed right now. */
  connectedPeers(): string[] {
    return [...this.pairs].map((pair) => new URL(pair.upstream.url).searchParams.get('id') ?? '?');
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.terminate();
      pair.upstream.terminate();
    }
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
