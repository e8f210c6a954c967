import { isCanonicalHandle } from '@/core/handle';
import { apiUrl } from './broker-url';
import { PeerwallError } from './errors';

/** What the broker grants on sign-in or refresh. */
export interface SessionGrant {
  handle: string;
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface BrokerClient {
  createAccount(handle: string, password: string): Promise<{ handle: string }>;
  signIn(handle: string, password: string): Promise<SessionGrant>;
  refresh(token: string): Promise<SessionGrant>;
  iceServers(token: string): Promise<RTCIceServer[]>;
  /** Resolves when `handle` is a live account; rejects with `unknown_handle` (404) or `handle_retired` (410). */
  lookupHandle(token: string, handle: string): Promise<void>;
  /** Deletes the account for good; the handle is retired. */
  deleteAccount(token: string, password: string): Promise<void>;
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

const REQUEST_TIMEOUT_MS = 20_000;

/** True when the broker refused the session token: the person must sign in again. */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof PeerwallError && error.status === 401;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts epoch seconds, epoch milliseconds or an ISO date. */
function parseExpiry(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function parseGrant(body: unknown): SessionGrant {
  if (isRecord(body) && typeof body.token === 'string' && isCanonicalHandle(body.handle)) {
    const expiresAt = parseExpiry(body.expiresAt);
    if (expiresAt !== null) return { handle: body.handle, token: body.token, expiresAt };
  }
  throw new PeerwallError('broker_bad_response', 'The broker sent an answer Peerwall does not understand.');
}

/**
 * HTTP client for the broker API (issue 2). Broker errors keep the broker's own code,
 * sentence and HTTP status; an unreachable broker is `broker_unreachable`.
 */
export function createBrokerClient(brokerUrl: string, fetchFn: FetchFn): BrokerClient {
  async function request(method: string, route: string, opts: { token?: string; body?: unknown } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let response: Response;
    try {
      response = await fetchFn(apiUrl(brokerUrl, route), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw new PeerwallError(
        'broker_unreachable',
        `Could not reach the broker at ${brokerUrl}. Check the Broker URL and your connection, then try again.`,
      );
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) return body;
    const error = isRecord(body) && isRecord(body.error) ? body.error : null;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      throw new PeerwallError(error.code.slice(0, 64), error.message.slice(0, 500), response.status);
    }
    if (response.status === 401) {
      throw new PeerwallError('session_ended', 'The broker no longer accepts this session. Sign in again.', 401);
    }
    throw new PeerwallError(
      'broker_error',
      `The broker could not handle the request (HTTP ${response.status}). Try again in a moment.`,
      response.status,
    );
  }

  return {
    async createAccount(handle, password) {
      const body = await request('POST', '/api/accounts', { body: { handle, password } });
      if (isRecord(body) && isCanonicalHandle(body.handle)) return { handle: body.handle };
      throw new PeerwallError('broker_bad_response', 'The broker sent an answer Peerwall does not understand.');
    },
    async signIn(handle, password) {
      return parseGrant(await request('POST', '/api/sessions', { body: { handle, password } }));
    },
    async refresh(token) {
      return parseGrant(await request('POST', '/api/sessions/refresh', { token }));
    },
    async lookupHandle(token, handle) {
      const body = await request('GET', `/api/handles/${encodeURIComponent(handle)}`, { token });
      if (!isRecord(body) || body.handle !== handle) {
        throw new PeerwallError('broker_bad_response', 'The broker sent an answer Peerwall does not understand.');
      }
    },
    async deleteAccount(token, password) {
      await request('DELETE', '/api/accounts/me', { token, body: { password } });
    },
    async iceServers(token) {
      const body = await request('GET', '/api/ice-servers', { token });
      if (isRecord(body) && Array.isArray(body.iceServers)) return body.iceServers.filter(isIceServer);
      throw new PeerwallError('broker_bad_response', 'The broker sent an answer Peerwall does not understand.');
    },
  };
}

function isIceServer(value: unknown): value is RTCIceServer {
  if (!isRecord(value)) return false;
  const { urls, username, credential } = value;
  const urlsOk = typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
  return urlsOk && (username === undefined || typeof username === 'string') &&
    (credential === undefined || typeof credential === 'string');
}
