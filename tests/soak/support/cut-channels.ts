import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import type { TestUser } from '../../e2e/support/test-user';
import { waitFor } from '../../e2e/support/wait';

interface DevToolsReply {
  id?: number;
  result?: { result?: { objectId?: string; value?: unknown }; objects?: { objectId?: string } };
  error?: { message?: string };
}

/**
 * Closes every open data channel in `user`'s offscreen document (the Chromium peer host), as a network failure
 * would end them: both sides see the channel close. Unlike support/data-channels.ts it needs no tracker
 * installed beforehand — DevTools' `Runtime.queryObjects` finds every RTCDataChannel on the heap — so it also
 * cuts the channels of an offscreen document that was recreated since. Returns how many were open.
 */
export async function cutDataChannels(user: TestUser): Promise<number> {
  const port = Number(readFileSync(path.join(user.profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0]);
  const offscreenUrl = `chrome-extension://${user.chromium.extensionId}/offscreen.html`;
  const target = await waitFor(
    async () => {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ url: string; webSocketDebuggerUrl?: string }>;
      return list.find((entry) => entry.url === offscreenUrl && entry.webSocketDebuggerUrl);
    },
    { timeoutMs: 15_000, describe: () => `${user.name}'s offscreen document is not running` },
  );
  const socket = new WebSocket(target.webSocketDebuggerUrl!);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const call = (method: string, params: object): Promise<DevToolsReply['result']> => {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const reply = JSON.parse(String(data)) as DevToolsReply;
        if (reply.id !== id) return;
        socket.off('message', onMessage);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  };
  try {
    const prototype = await call('Runtime.evaluate', { expression: 'RTCDataChannel.prototype' });
    const channels = await call('Runtime.queryObjects', { prototypeObjectId: prototype?.result?.objectId });
    const closed = await call('Runtime.callFunctionOn', {
      objectId: channels?.objects?.objectId,
      functionDeclaration: `async function () {
        const open = this.filter((channel) => channel.readyState === 'open');
        // Resolves after PeerJS's own close handlers have run.
        const closed = open.map((channel) => new Promise((resolve) => channel.addEventListener('close', resolve, { once: true })));
        for (const channel of open) channel.close();
        await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 5000))]);
        return open.length;
      }`,
      awaitPromise: true,
      returnByValue: true,
    });
    return Number(closed?.result?.value ?? 0);
  } finally {
    socket.close();
  }
}
