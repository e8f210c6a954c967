import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import { WebSocketServer } from 'ws';
import { SIGNALLING_LIMITS } from '../../core/signalling';
import type { AccountStore } from '../accounts';
import { SignallingHub } from '../signalling/hub';
import { errorFrame } from '../signalling/messages';
import type { SignallingMesh } from '../signalling/mesh';
import { SignallingSocket } from '../signalling/socket';
import type { Session } from '../tokens';
import type { WindowCounter } from '../window-counter';
import { StorageUnavailableError } from '../errors';
import { redactUrl } from '../redact';

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
  /** The other nodes (Redis) or none: see broker/signalling/mesh.ts. */
  mesh: SignallingMesh;
  /** PW_RELAYs per sender (30 a minute), counted over all nodes when there are several. */
  relayLimiter: WindowCounter;
  /** Sockets opened per handle (20 a minute), over all nodes when there are several: each costs a claim and a resync. */
  socketLimiter: WindowCounter;
}

/** A socket that leaves this much unread is dropped (docs/signalling.md). */
const MAX_UNSENT_BYTES = 1024 * 1024;

const PEERJS_PATH = '/peerjs';
/** Frames and bytes a client may send before its socket is admitted (PeerJS sends none before OPEN). */
const MAX_EARLY_FRAMES = 100;
const MAX_EARLY_BYTES = 320 * 1024;

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
      mesh: options.mesh,
      relayLimiter: options.relayLimiter,
      onError: (error) => app.log.error({ err: error }, 'signalling frame failed'),
    });
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: SIGNALLING_LIMITS.frameBytes,
      perMessageDeflate: false,
      WebSocket: SignallingSocket,
    });
    app.decorate('signalling', hub);
    /** Sockets whose token is being checked or that are being admitted: they hold memory too, so they count toward the limit. */
    let pending = 0;

    async function stillSignedIn(session: Session): Promise<boolean> {
      const account = await options.accounts.find(session.handle);
      return account !== undefined && account.retiredAt === null && account.tokenVersion === session.tokenVersion;
    }

    function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      // An absolute-form target such as "http://[" makes `new URL` throw, and a throw here
      // would be uncaught and end the process.
      const url = URL.canParse(request.url ?? '/', 'http://broker') ? new URL(request.url ?? '/', 'http://broker') : undefined;
      if (url?.pathname !== PEERJS_PATH) {
        const status = url ? '404 Not Found' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        onSocket(ws, url).catch((error: unknown) => {
          app.log.error({ err: error }, 'signalling socket failed');
          ws.terminate();
        });
      });
    }

    async function onSocket(ws: SignallingSocket, url: URL): Promise<void> {
      ws.on('error', (error) => app.log.debug({ err: error.message }, 'signalling socket error'));
      const refuse = (code: Parameters<typeof errorFrame>[0]) => {
        ws.send(errorFrame(code));
        // 1013 "try again later": the client reconnects as after any broker outage.
        ws.close(code === 'unavailable' ? 1013 : 1008, code);
      };
      if (url.searchParams.get('key') !== 'peerjs') return refuse('invalid_key');
      // A held handle may reconnect even when full (its new socket replaces the old one), but pending sockets
      // never outnumber the limit, whatever `id` they claim to be.
      const full = hub.size + pending >= options.maxConnections && hub.peer(url.searchParams.get('id') ?? '') === undefined;
      if (full || pending >= options.maxConnections) return refuse('server_full');
      pending += 1;
      try {
        await admitSocket(ws, url, refuse);
      } finally {
        pending -= 1;
      }
    }

    async function admitSocket(ws: SignallingSocket, url: URL, refuse: (code: Parameters<typeof errorFrame>[0]) => void): Promise<void> {
      // Frames that arrive while the token is checked and the claim goes round the nodes wait here, in order.
      const early: Buffer[] = [];
      let earlyBytes = 0;
      const hold = (data: Buffer) => {
        earlyBytes += data.length;
        if (early.length < MAX_EARLY_FRAMES && earlyBytes <= MAX_EARLY_BYTES) early.push(data);
        else ws.terminate();
      };
      ws.on('message', hold);
      const check = await app.tokens.check(url.searchParams.get('token') ?? undefined).catch((error: unknown) => {
        if (error instanceof StorageUnavailableError) return { ok: false as const, code: 'unavailable' as const };
        throw error;
      });
      // The socket may have closed while the account was looked up: nothing to admit or refuse.
      if (ws.readyState !== ws.OPEN) return;
      if (!check.ok) return refuse(check.code);
      if (check.session.handle !== url.searchParams.get('id')) return refuse('id_mismatch');
      const opened = await Promise.resolve(options.socketLimiter.take(check.session.handle)).catch(() => undefined);
      if (ws.readyState !== ws.OPEN) return;
      if (!opened) return refuse('unavailable');
      if (!opened.ok) return refuse('rate_limited');
      const peer = await hub.admit(check.session, {
        send: (frame) => ws.send(frame),
        close: (code, reason) => ws.close(code, reason),
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        terminate: () => ws.terminate(),
      });
      if (typeof peer === 'string') {
        ws.off('message', hold);
        return refuse(peer);
      }
      // A password change or deletion that committed after the token check ended no socket of this one.
      const revoked = await stillSignedIn(check.session).then((ok) => (ok ? undefined : ('auth_revoked' as const)), () => 'unavailable' as const);
      ws.off('message', hold);
      if (ws.readyState !== ws.OPEN) return hub.leave(peer); // it closed while being admitted
      if (revoked) {
        hub.leave(peer);
        return refuse(revoked); // after OPEN, but before any of its frames is handled
      }
      app.log.debug({ url: redactUrl(url.pathname + url.search) }, 'signalling socket open');
      // binaryType is the default 'nodebuffer', so every message arrives as one Buffer.
      const receive = (data: Buffer) => {
        // Last line of defence: a throw in a 'message' listener is uncaught and would end the
        // process for everyone, so an unexpected failure costs this frame only.
        try {
          hub.receive(peer, data.toString('utf8'), data.length);
        } catch (error) {
          app.log.error({ err: error }, 'signalling frame failed');
        }
      };
      for (const data of early) receive(data);
      ws.on('message', receive);
      ws.on('close', () => hub.leave(peer));
    }

    app.server.on('upgrade', onUpgrade);
    const sweeper = setInterval(() => hub.sweep(), Math.min(10_000, options.aliveTimeoutMs / 2));
    sweeper.unref();

    app.addHook('preClose', async () => {
      clearInterval(sweeper);
      app.server.off('upgrade', onUpgrade);
      await hub.closeAll();
      for (const ws of wss.clients) ws.terminate();
      await options.mesh.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
  },
  { name: 'signalling', dependencies: ['auth'] },
);
