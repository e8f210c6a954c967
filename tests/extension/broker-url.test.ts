import { describe, expect, it } from 'vitest';
import { brokerUrlHint, isLoopbackHost, parseBrokerUrl, peerServerOptions } from '@/platform/broker-url';

describe('Broker URL', () => {
  it.each([
    ['https://broker.example.com', 'https://broker.example.com'],
    ['https://broker.example.com/', 'https://broker.example.com'],
    ['  https://Broker.Example.com:8443/peerwall/  ', 'https://broker.example.com:8443/peerwall'],
    ['broker.example.com', 'https://broker.example.com'],
    ['http://localhost:9000', 'http://localhost:9000'],
    ['http://127.0.0.1:9000/', 'http://127.0.0.1:9000'],
    ['http://127.8.9.10', 'http://127.8.9.10'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['http://peerwall.localhost:9000', 'http://peerwall.localhost:9000'],
    // No scheme: http on this computer, where a broker runs without TLS; https anywhere else.
    ['localhost:9000', 'http://localhost:9000'],
    ['localhost', 'http://localhost'],
    [' LOCALHOST:9000/ ', 'http://localhost:9000'],
    ['127.0.0.1:9000/', 'http://127.0.0.1:9000'],
    ['127.3.2.1', 'http://127.3.2.1'],
    ['[::1]:9000', 'http://[::1]:9000'],
    ['peerwall.localhost:9000', 'http://peerwall.localhost:9000'],
    ['localhost:443', 'http://localhost:443'],
    ['//localhost:9000', 'http://localhost:9000'],
    ['broker.example.com:8443/peerwall//', 'https://broker.example.com:8443/peerwall'],
    ['10.0.0.5:9000', 'https://10.0.0.5:9000'],
    ['localhost.example.org', 'https://localhost.example.org'],
    // A scheme the person typed is kept.
    ['https://localhost:9000', 'https://localhost:9000'],
  ])('accepts %s as %s', (input, url) => {
    expect(parseBrokerUrl(input)).toEqual({ ok: true, url });
  });

  it.each([
    ['http://broker.example.com', /must use https/],
    ['http://10.0.0.5:9000', /must use https/],
    ['http://localhost.evil.example', /must use https/],
    ['http://[::2]:9000', /must use https/],
    ['ftp://broker.example.com', /must start with https/],
    ['ws://localhost:9000', /must start with https/],
    ['https://user:secret@broker.example.com', /user name and password/],
    ['user:secret@localhost:9000', /user name and password/],
    ['localhost:9000/?x=1', /cannot contain/],
    ['https://broker.example.com/?x=1', /cannot contain/],
    ['https://broker.example.com/#top', /cannot contain/],
    ['https://exa mple.com', /not a web address/],
    ['', /Enter the broker's address/],
    ['   ', /Enter the broker's address/],
    [42, /Enter the broker's address/],
    [`https://${'a'.repeat(2100)}.com`, /too long/],
  ])('refuses %s with a sentence', (input, reason) => {
    const result = parseBrokerUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['localhost:9000', 'Peerwall will use http://localhost:9000'],
    ['broker.example.com', 'Peerwall will use https://broker.example.com'],
    ['https://broker.example.com/', 'Peerwall will use https://broker.example.com'],
    ['https://Broker.Example.com', 'Peerwall will use https://broker.example.com'],
    ['  http://localhost:9000  ', null],
    ['https://broker.example.com', null],
    ['http://broker.example.com', null],
    ['', null],
  ])('tells the person what %j will be read as, when it differs: %j', (input, hint) => {
    expect(brokerUrlHint(input)).toBe(hint);
  });

  it('treats only this computer as loopback', () => {
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.example')).toBe(false);
  });

  it.each([
    ['https://broker.example.com', { host: 'broker.example.com', port: 443, secure: true, path: '/' }],
    ['http://localhost:9000', { host: 'localhost', port: 9000, secure: false, path: '/' }],
    ['http://127.0.0.1', { host: '127.0.0.1', port: 80, secure: false, path: '/' }],
    ['https://example.org:8443/pw', { host: 'example.org', port: 8443, secure: true, path: '/pw/' }],
    ['http://[::1]:9000', { host: '[::1]', port: 9000, secure: false, path: '/' }],
  ])('derives PeerJS server options from %s', (url, expected) => {
    expect(peerServerOptions(url)).toEqual({ ...expected, key: 'peerjs' });
  });
});
