import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../broker/log';
import { redactUrl } from '../../broker/redact';
import { RawPeer, account, bearer, ofType, startBroker } from './helpers';

describe('logs', () => {
  it('never contain passwords or tokens, even when a token is sent in a query string', async () => {
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const broker = await startBroker({}, { logger: loggerOptions('trace', stream) });
    try {
      const token = await account(broker.app, 'alice');
      await fetch(`${broker.url}/api/ice-servers?token=${token}`, { headers: bearer(token) });
      await fetch(`${broker.url}/api/nothing?x=1&token=${token}`);
      const peer = RawPeer.connect(broker.wsUrl('alice', token));
      await peer.next(ofType('OPEN'));
      // Allowlists and relays are held in memory only, never logged.
      peer.send({ type: 'PW_ALLOW', payload: { handles: ['zq_friend'], blocked: ['zq_blocked'] } });
      peer.send({ type: 'PW_RELAY', dst: 'alice', payload: { id: 'zq-id', body: 'zq body' } });
      await peer.next(ofType('PW_RELAY_STATUS'));
      peer.close();
      await peer.closed;
    } finally {
      await broker.close();
    }
    expect(log).toContain('/api/ice-servers?token=[redacted]');
    expect(log).not.toContain('correct horse battery');
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(log).not.toMatch(/zq/);
  });

  it.each([
    ['/peerjs?key=peerjs&id=bob&token=abc.def', '/peerjs?key=peerjs&id=bob&token=[redacted]'],
    ['/x?token=a&TOKEN=b#frag', '/x?token=[redacted]&TOKEN=[redacted]#frag'],
    ['/x?mytoken=keep', '/x?mytoken=keep'],
    ['/peerjs?id=bob&%74oken=abc.def', '/peerjs?id=bob&%74oken=[redacted]'],
    ['/x?a=1&To%6Ben=abc&b=2', '/x?a=1&To%6Ben=[redacted]&b=2'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
