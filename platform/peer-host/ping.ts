import { PeerwallError } from '../errors';
import type { DataLink } from './peer-port';
import type { Timers } from './timers';

/**
 * The connectivity probe over a PeerJS data connection: `pw-ping` answered by `pw-pong`
 * with the same nonce. The friends protocol replaces this later; until then it proves
 * that two peers can reach each other.
 */
export interface PingMessage {
  type: 'pw-ping' | 'pw-pong';
  nonce: string;
}

const NONCE = /^[A-Za-z0-9_-]{1,64}$/;
/** An incoming probe connection is closed after this long even if the prober never closes it. */
export const INCOMING_PROBE_LIFETIME_MS = 60_000;

export function parsePing(data: unknown, type: PingMessage['type']): PingMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type: t, nonce } = data as Record<string, unknown>;
  if (t !== type || typeof nonce !== 'string' || !NONCE.test(nonce)) return null;
  return { type, nonce };
}

/** Answers pings on an incoming connection; anything else is ignored. */
export function answerPings(link: DataLink, timers: Timers): void {
  const closer = timers.setTimeout(() => link.close(), INCOMING_PROBE_LIFETIME_MS);
  link.on('data', (data) => {
    const ping = parsePing(data, 'pw-ping');
    if (ping) link.send({ type: 'pw-pong', nonce: ping.nonce } satisfies PingMessage);
  });
  link.on('close', () => timers.clearTimeout(closer));
}

export interface ProbeOptions {
  handle: string;
  nonce: string;
  timeoutMs: number;
  now(): number;
  timers: Timers;
}

export interface RunningProbe {
  result: Promise<{ rttMs: number }>;
  /** Ends the probe early, e.g. when the broker says the peer is unavailable. */
  fail(error: PeerwallError): void;
}

/** Sends one ping on `link` once it opens and resolves with the round-trip time of the pong. */
export function runProbe(link: DataLink, options: ProbeOptions): RunningProbe {
  let settle: { resolve(v: { rttMs: number }): void; reject(e: PeerwallError): void } | null = null;
  const result = new Promise<{ rttMs: number }>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let sentAt = 0;
  let done = false;
  const finish = (outcome: { rttMs: number } | PeerwallError): void => {
    if (done) return;
    done = true;
    options.timers.clearTimeout(timer);
    link.close();
    if (outcome instanceof PeerwallError) settle?.reject(outcome);
    else settle?.resolve(outcome);
  };
  const timer = options.timers.setTimeout(() => {
    finish(
      new PeerwallError(
        'probe_timeout',
        `@${options.handle} did not answer within ${Math.round(options.timeoutMs / 1000)} seconds. They may be offline, or may not have you as a contact.`,
      ),
    );
  }, options.timeoutMs);
  link.on('open', () => {
    sentAt = options.now();
    link.send({ type: 'pw-ping', nonce: options.nonce } satisfies PingMessage);
  });
  link.on('data', (data) => {
    const pong = parsePing(data, 'pw-pong');
    if (pong && pong.nonce === options.nonce) finish({ rttMs: Math.max(0, options.now() - sentAt) });
  });
  link.on('error', (error) => {
    finish(new PeerwallError('probe_failed', `The connection to @${options.handle} failed: ${error.message}`));
  });
  link.on('close', () => {
    finish(new PeerwallError('probe_refused', `@${options.handle} closed the connection before answering.`));
  });
  return { result, fail: finish };
}
