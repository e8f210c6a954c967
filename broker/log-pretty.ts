import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that the line's head already says. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

/**
 * One pino JSON line as a person reads it in a terminal: `10:31:02 INFO  request completed GET /x 200 3 ms`,
 * then the other fields as `key=value`. A line that is not JSON passes through as it is. The same
 * fields as the JSON line, so redaction (log.ts) holds for both.
 */
export function prettyLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const e = entry as Record<string, unknown>;
  const time = typeof e.time === 'number' ? new Date(e.time).toISOString().slice(11, 19) : '--:--:--';
  const level = (LEVELS[typeof e.level === 'number' ? e.level : 30] ?? 'INFO').padEnd(5);
  const parts = [time, level, typeof e.msg === 'string' ? e.msg : ''];
  const req = e.req as { method?: unknown; url?: unknown } | undefined;
  if (req && typeof req.method === 'string' && typeof req.url === 'string') parts.push(`${req.method} ${req.url}`);
  const res = e.res as { statusCode?: unknown } | undefined;
  if (res && typeof res.statusCode === 'number') parts.push(String(res.statusCode));
  if (typeof e.responseTime === 'number') parts.push(`${Math.round(e.responseTime)} ms`);
  const err = e.err as { type?: unknown; message?: unknown } | undefined;
  if (err && typeof err.type === 'string') parts.push(`${err.type}: ${String(err.message ?? '')}`);
  for (const [key, value] of Object.entries(e)) {
    if (!SHOWN.has(key)) parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** A stream that writes pino's JSON lines to `out` as `prettyLine` reads them. */
export function prettyStream(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${prettyLine(line)}\n`);
      done();
    },
  });
}
