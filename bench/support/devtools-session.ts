import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import type { TestUser } from '../../tests/e2e/support/test-user';

export type DevToolsCall = (method: string, params?: object) => Promise<Record<string, unknown>>;

/** Opens a DevTools WebSocket (a target's or the browser's), runs `work` with a caller of its methods, closes it. */
export async function withDevTools<T>(url: string, work: (call: DevToolsCall) => Promise<T>): Promise<T> {
  const socket = new WebSocket(url, { maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const call: DevToolsCall = (method, params = {}) => {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const reply = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message?: string } };
        if (reply.id !== id) return;
        socket.off('message', onMessage);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  try {
    return await work(call);
  } finally {
    socket.close();
  }
}

/** The browser-wide DevTools endpoint of `user`'s Chromium. */
export async function browserDebuggerUrl(user: TestUser): Promise<string> {
  const port = Number(readFileSync(path.join(user.profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl?: unknown };
  if (typeof version.webSocketDebuggerUrl !== 'string') throw new Error(`${user.name}'s Chromium names no browser DevTools endpoint`);
  return version.webSocketDebuggerUrl;
}

/** Evaluates `expression` (awaited, returned by value) through `call`; throws the page's exception. */
export async function evaluate<T>(call: DevToolsCall, expression: string): Promise<T> {
  const reply = (await call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
    result?: { value?: unknown };
    exceptionDetails?: { text?: string; exception?: { description?: string } };
  };
  if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'exception');
  return reply.result?.value as T;
}
