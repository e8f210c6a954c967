import WebSocket from 'ws';
import { offscreenDebuggerUrl } from '../../e2e/support/social';
import type { TestUser } from '../../e2e/support/test-user';

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
  const socket = new WebSocket(await offscreenDebuggerUrl(user));
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
