import type { FetchFn } from '@/platform/broker-client';

export interface FakeBrokerOptions {
  now(): number;
  /** Token lifetime in ms. */
  lifetimeMs?: number;
}

/**
 * An in-memory broker HTTP API with the status codes and error bodies of issue 2.
 * Tests flip `reachable`, `revoked` or queue per-route answers to simulate failures.
 */
export function createFakeBroker(options: FakeBrokerOptions) {
  const lifetime = options.lifetimeMs ?? 30 * 24 * 60 * 60_000;
  const accounts = new Map<string, string>();
  const retired = new Set<string>();
  const valid = new Map<string, number>();
  const calls: { method: string; path: string; token: string | null }[] = [];
  let counter = 0;
  const state = { reachable: true, revoked: false };

  const json = (status: number, body: unknown): Response =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const error = (status: number, code: string, message: string): Response => json(status, { error: { code, message } });

  function issue(handle: string) {
    counter += 1;
    const token = `token-${handle}-${counter}`;
    const expiresAt = options.now() + lifetime;
    valid.set(token, expiresAt);
    return { token, handle, expiresAt: new Date(expiresAt).toISOString() };
  }

  function bearer(init: RequestInit | undefined): string | null {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    return headers.authorization?.replace(/^Bearer /, '') ?? null;
  }

  function authorised(token: string | null): boolean {
    if (state.revoked || !token) return false;
    const expiresAt = valid.get(token);
    return expiresAt !== undefined && expiresAt > options.now();
  }

  const fetch: FetchFn = async (input, init) => {
    const url = new URL(input);
    const token = bearer(init);
    calls.push({ method: init?.method ?? 'GET', path: url.pathname, token });
    if (!state.reachable) throw new TypeError('Failed to fetch');
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, string>) : {};
    const route = url.pathname.slice(url.pathname.indexOf('/api/'));
    switch (`${init?.method ?? 'GET'} ${route}`) {
      case 'POST /api/accounts': {
        const handle = String(body.handle).toLowerCase();
        if (accounts.has(handle)) return error(409, 'handle_taken', 'That handle is taken. Choose another one.');
        accounts.set(handle, String(body.password));
        return json(201, { handle });
      }
      case 'POST /api/sessions': {
        const handle = String(body.handle).toLowerCase();
        if (accounts.get(handle) !== body.password) {
          return error(401, 'invalid_credentials', 'The handle or password is wrong.');
        }
        return json(200, issue(handle));
      }
      case 'POST /api/sessions/refresh': {
        if (!authorised(token)) return error(401, 'unauthorized', 'Sign in again.');
        const handle = /^token-(.+)-\d+$/.exec(token ?? '')?.[1] ?? '';
        return json(200, issue(handle));
      }
      case 'GET /api/ice-servers':
        if (!authorised(token)) return error(401, 'unauthorized', 'Sign in again.');
        return json(200, { iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
      case 'DELETE /api/accounts/me': {
        if (!authorised(token)) return error(401, 'unauthorized', 'Sign in again.');
        const handle = /^token-(.+)-\d+$/.exec(token ?? '')?.[1] ?? '';
        if (accounts.get(handle) !== body.password) return error(403, 'wrong_password', 'The password is wrong.');
        accounts.delete(handle);
        retired.add(handle);
        return new Response(null, { status: 204 });
      }
      default: {
        const lookup = /^\/api\/handles\/([^/]+)$/.exec(route);
        if ((init?.method ?? 'GET') === 'GET' && lookup) {
          if (!authorised(token)) return error(401, 'unauthorized', 'Sign in again.');
          const handle = decodeURIComponent(lookup[1]!);
          if (retired.has(handle)) return error(410, 'handle_retired', `@${handle} deleted their account; the handle stays retired.`);
          if (!accounts.has(handle)) return error(404, 'unknown_handle', `Nobody has the handle @${handle}.`);
          return json(200, { handle });
        }
        return error(404, 'not_found', 'No such route.');
      }
    }
  };

  return { fetch, calls, state, accounts, retired };
}
