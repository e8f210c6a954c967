import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from './helpers';

describe('GET / on a listening broker', () => {
  let broker: TestBroker;
  afterEach(() => broker.close());

  it('answers a person with a small page naming the broker, its version and its health check', async () => {
    broker = await startBroker();
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

    const response = await fetch(`${broker.url}/`);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page).toContain('<title>Peerwall broker</title>');
    expect(page).toContain(`This is a Peerwall broker, version ${version}.`);
    expect(page).toContain('<a href="/health">/health</a>');
    expect(await (await fetch(`${broker.url}/health`)).json()).toEqual({ status: 'ok', accounts: 'up' });
  });
});
