import { describe, expect, it } from 'vitest';
import { createBrokerClient, isSessionEnded, type FetchFn } from '@/platform/broker-client';
import { PeerwallError } from '@/platform/errors';

const BASE = 'https://broker.example.com';

function answering(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}): FetchFn {
  return async (url, init) => {
    seen.url = url;
    seen.init = init;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
}

describe('broker client', () => {
  it('signs in with a JSON body and reads the grant', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const client = createBrokerClient(BASE, answering(200, { token: 't', handle: 'alice', expiresAt: '2026-12-25T08:00:00.000Z' }, seen));

    const grant = await client.signIn('alice', 'correct horse battery');

    expect(grant).toEqual({ token: 't', handle: 'alice', expiresAt: Date.UTC(2026, 11, 25, 8) });
    expect(seen.url).toBe(`${BASE}/api/sessions`);
    expect(seen.init?.method).toBe('POST');
    expect(JSON.parse(String(seen.init?.body))).toEqual({ handle: 'alice', password: 'correct horse battery' });
  });

  it.each([
    [1798188072, 1798188072000],
    [1798188072000, 1798188072000],
  ])('reads expiresAt %s as epoch milliseconds', async (expiresAt, ms) => {
    const client = createBrokerClient(BASE, answering(200, { token: 't', handle: 'alice', expiresAt }));
    expect((await client.signIn('alice', 'x')).expiresAt).toBe(ms);
  });

  it('sends the token as a Bearer header and keeps only well-formed ICE servers', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const servers = [{ urls: 'stun:stun.example:3478' }, { urls: ['turn:t.example'], username: 'u', credential: 'c' }, { urls: 5 }, 'x'];
    const client = createBrokerClient(BASE, answering(200, { iceServers: servers }, seen));

    const result = await client.iceServers('tok');

    expect(result).toEqual(servers.slice(0, 2));
    expect((seen.init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it("passes on the broker's code and sentence", async () => {
    const client = createBrokerClient(BASE, answering(409, { error: { code: 'handle_taken', message: 'That handle is taken.' } }));

    const error = await client.createAccount('alice', 'correct horse battery').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PeerwallError);
    expect(error).toMatchObject({ code: 'handle_taken', message: 'That handle is taken.', status: 409 });
    expect(isSessionEnded(error)).toBe(false);
  });

  it('reports a refused session as ended', async () => {
    const client = createBrokerClient(BASE, answering(401, { error: { code: 'unauthorized', message: 'Sign in.' } }));
    const error = await client.refresh('old').catch((e: unknown) => e);
    expect(isSessionEnded(error)).toBe(true);
  });

  it('says the broker is unreachable when the request fails', async () => {
    const client = createBrokerClient(BASE, async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.signIn('alice', 'x')).rejects.toMatchObject({
      code: 'broker_unreachable',
      message: expect.stringContaining(`Could not reach the broker at ${BASE}`),
    });
  });

  it.each([
    [502, '<html>Bad gateway</html>', 'broker_error'],
    [200, '{"token": 5}', 'broker_bad_response'],
    [200, 'not json', 'broker_bad_response'],
  ])('turns an unexpected answer (%s %s) into a clear error', async (status, body, code) => {
    const client = createBrokerClient(BASE, answering(status, body));
    await expect(client.signIn('alice', 'x')).rejects.toMatchObject({ code });
  });
});
