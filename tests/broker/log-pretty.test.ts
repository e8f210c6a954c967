import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prettyLine, prettyStream } from '../../broker/log-pretty';

describe('the broker log in a terminal', () => {
  it('reads a request line as time, level, message, method and URL, status and duration', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 10, 26, 10, 31, 2), pid: 1, hostname: 'h', reqId: 'req-1', res: { statusCode: 200 }, responseTime: 2.6, msg: 'request completed', req: { method: 'GET', url: '/health' } });

    expect(prettyLine(line)).toBe('10:31:02 INFO  request completed GET /health 200 3 ms');
  });

  it('names the level, an error and any other field, and passes a non-JSON line through', () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 0, 0, 0), msg: 'relay failed', err: { type: 'Error', message: 'boom' }, handle: 'bob', count: 2 });

    expect(prettyLine(line)).toBe('00:00:00 ERROR relay failed Error: boom handle=bob count=2');
    expect(prettyLine('listening on 9000')).toBe('listening on 9000');
  });

  it('formats each whole line once, however the writes split it', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) });
    const stream = prettyStream(sink);
    const line = JSON.stringify({ level: 40, time: 0, msg: 'slow' });

    await new Promise<void>((resolve) => stream.write(line.slice(0, 10), () => resolve()));
    await new Promise<void>((resolve) => stream.write(`${line.slice(10)}\n${line}\n`, () => resolve()));

    expect(out).toBe('00:00:00 WARN  slow\n00:00:00 WARN  slow\n');
  });
});
