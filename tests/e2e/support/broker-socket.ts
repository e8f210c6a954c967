import WebSocket from 'ws';
import { PASSWORD } from './flows';
import { waitFor } from './wait';

/**
 * A broker client without a browser: an account and a session over the HTTP API (docs/broker.md) and a bare
 * PeerJS socket on `/peerjs` (docs/signalling.md) — what a modified client could send. Peerwall's own peer host
 * never dials a stranger, so this is how the suite checks what the broker lets a stranger's frames do.
 */

/** A frame the broker sent, as parsed JSON. */
export type BrokerFrame = { type?: unknown; src?: unknown; payload?: unknown } & Record<string, unknown>;

const HEARTBEAT_MS = 5_000; // as PeerJS clients do; the broker closes a socket silent for a minute

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** `POST /api/accounts`; throws unless the broker answers 201. */
export async function createAccountOverApi(brokerUrl: string, handle: string): Promise<void> {
  const answer = await postJson(`${brokerUrl}/api/accounts`, { handle, password: PASSWORD });
  if (answer.status !== 201) throw new Error(`POST /api/accounts for @${handle} answered ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** `POST /api/sessions`: a new session of `handle` (a newer session displaces a browser signed in as `handle`); returns its token. */
export async function signInOverApi(brokerUrl: string, handle: string): Promise<string> {
  const answer = await postJson(`${brokerUrl}/api/sessions`, { handle, password: PASSWORD });
  const token = (answer.body as { token?: unknown } | null)?.token;
  if (answer.status !== 200 || typeof token !== 'string') {
    throw new Error(`POST /api/sessions for @${handle} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return token;
}

export class BrokerSocket {
  /** Every frame the broker sent after OPEN, in order. */
  readonly received: BrokerFrame[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    readonly handle: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as BrokerFrame);
    });
    this.heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), HEARTBEAT_MS);
  }

  /** Opens `/peerjs` as `handle` with `token`; resolves once the broker says OPEN, rejects on its ERROR. */
  static async open(brokerUrl: string, handle: string, token: string): Promise<BrokerSocket> {
    const url = new URL('/peerjs', brokerUrl.replace(/^http/, 'ws'));
    url.search = new URLSearchParams({ key: 'peerjs', id: handle, token }).toString();
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`@${handle}'s socket got no OPEN within 10 s`)), 10_000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        const frame = JSON.parse(String(data)) as BrokerFrame;
        if (frame.type === 'OPEN') resolve();
        else reject(new Error(`the broker answered @${handle}'s socket with ${String(data)} instead of OPEN`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return new BrokerSocket(handle, socket);
  }

  /** Signs `handle` in over the API (creating the account first if asked) and opens its socket. */
  static async signIn(brokerUrl: string, handle: string, options: { create?: boolean } = {}): Promise<BrokerSocket> {
    if (options.create) await createAccountOverApi(brokerUrl, handle);
    return BrokerSocket.open(brokerUrl, handle, await signInOverApi(brokerUrl, handle));
  }

  send(frame: object): void {
    if (this.socket.readyState !== WebSocket.OPEN) {
      throw new Error(`@${this.handle}'s broker socket is closed (received: ${JSON.stringify(this.received)})`);
    }
    this.socket.send(JSON.stringify(frame));
  }

  /** `PW_ALLOW`: who may signal to this socket. */
  allow(handles: string[]): void {
    this.send({ type: 'PW_ALLOW', payload: { handles, blocked: [] } });
  }

  /** What a PeerJS peer sends to open a data connection to `dst`: an OFFER, then an ICE candidate. */
  offerTo(dst: string): void {
    for (const frame of dataConnectionOffer(dst, `dc_${this.handle}_${Date.now().toString(36)}`)) this.send(frame);
  }

  /** The received frames that name `handle` anywhere (as `src`, in presence, in a payload). */
  framesNaming(handle: string): BrokerFrame[] {
    return this.received.filter((frame) => JSON.stringify(frame).includes(JSON.stringify(handle)));
  }

  /** Waits until a received frame matches; returns it. */
  waitForFrame(matches: (frame: BrokerFrame) => boolean, what: string, timeoutMs = 10_000): Promise<BrokerFrame> {
    return waitFor(async () => this.received.find(matches), {
      timeoutMs,
      intervalMs: 50,
      describe: () => `@${this.handle}'s socket got no ${what}; it got ${JSON.stringify(this.received)}`,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close();
    await closed;
  }
}

/**
 * A data-channel offer as Chromium makes it (the fingerprint and ICE credentials are made up). Had the broker
 * handed it over, PeerJS in the receiving peer host would answer it and send its own ICE candidates.
 */
const OFFER_SDP = [
  'v=0',
  'o=- 5183764939475629307 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Zq3b',
  'a=ice-pwd:Hc9yq1mZ0k8cJp4u2Vw7xT5s',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 3A:9F:6C:21:8B:04:D7:5E:A1:C3:7F:2B:90:46:E8:13:5D:CA:0F:72:B9:64:1E:8D:37:A5:C0:F9:2E:58:B6:14',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

function dataConnectionOffer(dst: string, connectionId: string): object[] {
  const connection = { type: 'data', connectionId, label: 'pw-sync', reliable: true, serialization: 'binary' };
  return [
    { type: 'OFFER', dst, payload: { ...connection, sdp: { type: 'offer', sdp: OFFER_SDP }, browser: 'chrome' } },
    {
      type: 'CANDIDATE',
      dst,
      payload: { ...connection, candidate: { candidate: 'candidate:1 1 udp 2122260223 10.213.0.1 50000 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 } },
    },
  ];
}
