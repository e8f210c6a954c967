import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import { WebSocketServer } from 'ws';
import { SIGNALLING_LIMITS, type RefusalCode } from '../../core/signalling';
import type { AccountStore } from '../accounts';
import { SignallingHub } from '../signalling/hub';
import { errorFrame } from '../signalling/messages';
import { createRelayQueue } from '../signalling/relay-queue';
import { SignallingSocket } from '../signalling/socket';
import { createWindowCounter } from '../window-counter';
import { StorageUnavailableError } from '../errors';
import { redactUrl } from '../redact';
import type { Session } from '../tokens';

declare module 'fastify' {
  interface FastifyInstance {
    signalling: SignallingHub;
  }
}

export interface SignallingOptions {
  accounts: AccountStore;
  maxConnections: number;
  messagesPerSecond: number;
  bytesPerSecond: number;
  aliveTimeoutMs: number;
  /** Bytes of relays kept for offline handles, over all of them. */
  relayQueueBytes: number;
}

/** A socket that leaves this much unread is dropped (docs/signalling.md). */
const MAX_UNSENT_BYTES = 1024 * 1024;

const PEERJS_PATH = '/peerjs';

/**
 * PeerJS signalling on /peerjs. The upgrade is ours: every socket is authenticated before it
 * can reach OPEN, and every frame passes the hub's checks. See docs/signalling.md.
 */
export default fp(
  async (app, options: SignallingOptions) => {
    const hub = new SignallingHub({
      maxConnections: options.maxConnections,
      messagesPerSecond: options.messagesPerSecond,
      bytesPerSecond: options.bytesPerSecond,
      maxUnsentBytes: MAX_UNSENT_BYTES,
      aliveTimeoutMs: options.aliveTimeoutMs,
      isActiveHandle: async (handle) => {
        const account = await options.accounts.find(handle);
        return account !== undefined && account.retiredAt === null;
      },
      onError: (error) => app.log.error({ err: error }, 'signalling relay failed'),
      relayQueue: createRelayQueue({ totalBytes: options.relayQueueBytes }),
      relayLimiter: createWindowCounter({ limit: 30, windowMs: 60_000 }),
    });
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: SIGNALLING_LIMITS.frameBytes,
      perMessageDeflate: false,
      WebSocket: SignallingSocket,
    });
    app.decorate('signalling', hub);

    function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      // An absolute-form target such as "http://[" makes `new URL` throw, and a throw here
      // would be uncaught and end the process.
      const url = URL.canParse(request.url ?? '/', 'http://broker') ? new URL(request.url ?? '/', 'http://broker') : undefined;
      if (url?.pathname !== PEERJS_PATH) {
        const status = url ? '404 Not Found' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => onSocket(ws, url));
    }

    function refuse(ws: SignallingSocket, code: RefusalCode, closeCode = 1008): void {
      ws.send(errorFrame(code));
      ws.close(closeCode, code);
    }

    function onSocket(ws: SignallingSocket, url: URL): void {
      ws.on('error', (error) => app.log.debug({ err: error.message }, 'signalling socket error'));
      if (url.searchParams.get('key') !== 'peerjs') return refuse(ws, 'invalid_key');
      app.tokens
        .check(url.searchParams.get('token') ?? undefined)
        .then(
          (check) => {
            // The socket may have closed while the account was looked up; admitting it then would
            // leave a peer that no 'close' event ever removes.
            if (ws.readyState !== ws.OPEN) return;
            if (!check.ok) return refuse(ws, check.code);
            admit(ws, url, check.session);
          },
          (error: unknown) => {
            if (!(error instanceof StorageUnavailableError)) throw error;
            // 1013 "try again later": the client reconnects as after any broker outage.
            if (ws.readyState === ws.OPEN) refuse(ws, 'unavailable', 1013);
          },
        )
        .catch((error: unknown) => {
          app.log.error({ err: error }, 'signalling socket failed to open');
          ws.terminate();
        });
    }

    function admit(ws: SignallingSocket, url: URL, session: Session): void {
      if (session.handle !== url.searchParams.get('id')) return refuse(ws, 'id_mismatch');
      const peer = hub.admit(session, {
        send: (frame) => ws.send(frame),
        close: (code, reason) => ws.close(code, reason),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        terminate: () => ws.terminate(),
      });
      if (typeof peer === 'string') return refuse(ws, peer);
      app.log.debug({ url: redactUrl(url.pathname + url.search) }, 'signalling socket open');
      // binaryType is the default 'nodebuffer', so every message arrives as one Buffer.
      ws.on('message', (data: Buffer) => {
        // Last line of defence: a throw in a 'message' listener is uncaught and would end the
        // process for everyone, so an unexpected failure costs this frame only.
        try {
          hub.receive(peer, data.toString('utf8'), data.length);
        } catch (error) {
          app.log.error({ err: error }, 'signalling frame failed');
        }
      });
      ws.on('close', () => hub.leave(peer));
    }

    app.server.on('upgrade', onUpgrade);
    const sweeper = setInterval(() => hub.sweep(), Math.min(10_000, options.aliveTimeoutMs / 2));
    sweeper.unref();

    app.addHook('preClose', async () => {
      clearInterval(sweeper);
      app.server.off('upgrade', onUpgrade);
      hub.closeAll();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
  },
  { name: 'signalling', dependencies: ['auth'] },
);
