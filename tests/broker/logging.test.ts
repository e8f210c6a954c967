import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeError, loggerOptions } from '../../broker/log';
import { redactDatabaseUrl, redactUrl } from '../../broker/redact';
import { RawPeer, account, bearer, ofType, startBroker, type TestBroker } from './helpers';

/** A Writable that keeps what pino writes to it. */
function capture(): { stream: Writable; text: () => string } {
  let log = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString();
      done();
    },
  });
  return { stream, text: () => log };
}

/** The log with every serialized Buffer (`{"type":"Buffer","data":[…]}`) written out as text, so bytes cannot hide a secret. */
function readable(log: string): string {
  return log.replace(/\{"type":"Buffer","data":\[([\d,]*)\]\}/g, (_buffer, bytes: string) =>
    Buffer.from(bytes.split(',').filter((byte) => byte !== '').map(Number)).toString('latin1'),
  );
}

/** Writes raw bytes to the broker and waits for it to answer or hang up. */
function sendRaw(broker: TestBroker, bytes: string): Promise<void> {
  const { port } = new URL(broker.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    const timer = setTimeout(() => socket.destroy(), 2_000);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

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

  it.each(['trace', 'debug', 'info'])('hold no password, token or Authorization value of a malformed request at level %s', async (level) => {
    const log = capture();
    const broker = await startBroker({}, { logger: loggerOptions(level, log.stream) });
    const password = 'zz-secret-password';
    const authorization = 'Bearer zz-secret-authorization';
    let token = '';
    try {
      token = await account(broker.app, 'alice');
      const json = { 'content-type': 'application/json' };
      const send = (path: string, headers: Record<string, string>, body: string) =>
        fetch(`${broker.url}${path}`, { method: 'POST', headers, body });
      const answers = await Promise.all([
        send(`/api/sessions?token=${token}`, { ...json, authorization }, `{"handle":"alice","password":"${password}"`),
        send(`/api/sessions?password=${password}`, json, `{"handle":"alice","password":"${password}","token":"${token}",}`),
        send('/api/accounts/me/password', { ...json, ...bearer(token) }, `{"currentPassword":"${password}","newPassword":`),
        send('/api/accounts', { ...json, authorization }, `{"handle":"bob","password":"${password}","x":"${'y'.repeat(17_000)}"}`),
        send('/api/sessions', { 'content-type': 'application/x-www-form-urlencoded', authorization }, `password=${password}`),
        send('/api/sessions', { 'content-type': `application/x-${password}`, authorization }, `password=${password}`),
        fetch(`${broker.url}/api/handles/%E0%A4%A?token=${token}`, { headers: { authorization } }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 413, 415, 415, 400]);
      // Requests Node's HTTP parser rejects: they reach the log, if at all, as a parser error.
      const head = `POST /api/sessions?token=${token} HTTP/1.1\r\nHost: broker\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\n`;
      const body = `{"handle":"alice","password":"${password}"}`;
      await sendRaw(broker, `${head}Bad Header ${password}\r\n\r\n`);
      await sendRaw(broker, `${head}Content-Length: 2\r\n\r\n${body}`);
      await sendRaw(broker, `${head}X-Filler: ${'f'.repeat(20_000)}\r\n\r\n${body}`);
      await sendRaw(broker, `GET http://[/?token=${token} HTTP/1.1\r\nHost: broker\r\nAuthorization: ${authorization}\r\n\r\n`);
    } finally {
      await broker.close();
    }
    const text = readable(log.text());
    expect(text).toContain('"msg":"incoming request"');
    if (level === 'trace') expect(text).toContain('"msg":"client error"');
    for (const secret of [password, 'zz-secret-authorization', token, 'correct horse battery']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });

  it('logs an error by type, code and status, with message and stack only when they cannot quote the request', () => {
    const parserError = Object.assign(new Error('Parse Error: Invalid header token'), {
      code: 'HPE_INVALID_HEADER_TOKEN',
      rawPacket: Buffer.from('Authorization: Bearer secret'),
    });
    expect(describeError(parserError)).toEqual({
      type: 'Error',
      code: 'HPE_INVALID_HEADER_TOKEN',
      message: 'Parse Error: Invalid header token',
      stack: parserError.stack,
    });
    const jsonError = Object.assign(new SyntaxError('Unexpected end of JSON input: "{"password":"secret"'), { statusCode: 400 });
    expect(JSON.stringify(describeError(jsonError))).not.toContain('secret');
    const mediaTypeError = Object.assign(new Error('Unsupported Media Type: application/x-secret'), { statusCode: 415 });
    expect(JSON.stringify(describeError(mediaTypeError))).not.toContain('secret');
    expect(describeError(new Error('database is locked'))).toMatchObject({ message: 'database is locked' });
  });

  it.each([
    ['/peerjs?key=peerjs&id=bob&token=abc.def', '/peerjs?key=peerjs&id=bob&token=[redacted]'],
    ['/x?token=a&TOKEN=b#frag', '/x?token=[redacted]&TOKEN=[redacted]#frag'],
    ['/x?mytoken=keep', '/x?mytoken=keep'],
    ['/peerjs?id=bob&%74oken=abc.def', '/peerjs?id=bob&%74oken=[redacted]'],
    ['/x?a=1&To%6Ben=abc&b=2', '/x?a=1&To%6Ben=[redacted]&b=2'],
    ['/x?password=a&newPassword=b&access_token=c&Authorization=d', '/x?password=[redacted]&newPassword=[redacted]&access_token=[redacted]&Authorization=[redacted]'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://peerwall:s3cret@db.internal:5432/peerwall', 'postgres://peerwall:[redacted]@db.internal:5432/peerwall'],
    ['postgres://peerwall@db.internal/peerwall', 'postgres://peerwall@db.internal/peerwall'],
    ['postgres://db/peerwall?user=p&password=s3cret&sslmode=require', 'postgres://db/peerwall?user=p&password=[redacted]&sslmode=require'],
    ['postgres://p:s%40cret@db/peerwall', 'postgres://p:[redacted]@db/peerwall'],
    ['not a url s3cret', '[a database URL that does not parse]'],
  ])('shows %s as %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });
});
