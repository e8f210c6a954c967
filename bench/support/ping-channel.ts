import { evaluateInOffscreen } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';

/** Bytes per ping: about what one short post's entry takes on the wire. */
export const PING_BYTES = 512;

/** Resolves once the connection's ICE gathering is complete, so its description carries every candidate. */
const GATHERED = `(pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
})`;

/**
 * Opens a data channel of its own from `from`'s offscreen document to `to`'s: `fromSetup` and `toSetup` are
 * JavaScript expressions evaluated there with `pc` (and, in `from`, `channel`) in scope, which keep what they need
 * on `globalThis`. The harness carries the offer and answer (whole, after ICE gathering).
 */
async function pairChannel(from: TestUser, to: TestUser, label: string, fromSetup: string, toSetup: string): Promise<void> {
  const key = JSON.stringify(`__pairing-${label}`);
  const offer = await evaluateInOffscreen<string>(
    from,
    `(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const channel = pc.createDataChannel(${JSON.stringify(label)}, { ordered: true });
      channel.binaryType = 'arraybuffer';
      const opened = new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
      globalThis[${key}] = { pc, opened };
      ${fromSetup};
      await pc.setLocalDescription(await pc.createOffer());
      await (${GATHERED})(pc);
      return JSON.stringify(pc.localDescription);
    })()`,
  );
  const answer = await evaluateInOffscreen<string>(
    to,
    `(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      ${toSetup};
      await pc.setRemoteDescription(${offer});
      await pc.setLocalDescription(await pc.createAnswer());
      await (${GATHERED})(pc);
      return JSON.stringify(pc.localDescription);
    })()`,
  );
  await evaluateInOffscreen(
    from,
    `(async () => {
      const { pc, opened } = globalThis[${key}];
      delete globalThis[${key}];
      await pc.setRemoteDescription(${answer});
      await Promise.race([opened, new Promise((_, reject) => setTimeout(() => reject(new Error('the ${label} channel did not open within 15 s')), 15000))]);
      return true;
    })()`,
  );
}

/**
 * A data channel of its own between two Chromium peer hosts (offscreen documents), outside Peerwall's code:
 * the same two browsers and processes, the same host candidates on the same private network (no STUN, as the
 * e2e broker configures the product), no signing, storage or extension messaging. `from` sends PING_BYTES
 * bytes, `to` answers with 8 bytes at once, and `from` times the round trip with `performance.now()`.
 *
 * Returns a ping: the round trip in milliseconds, measured inside `from`'s document.
 */
export async function openPingChannel(from: TestUser, to: TestUser): Promise<() => Promise<number>> {
  await pairChannel(
    from,
    to,
    'bench-ping',
    `const payload = 'x'.repeat(${PING_BYTES});
      globalThis.__benchPing = {
        pc,
        ping: () => new Promise((resolve) => {
          channel.onmessage = () => resolve(performance.now() - sent);
          const sent = performance.now();
          channel.send(payload);
        }),
      }`,
    `globalThis.__benchPong = pc;
      pc.addEventListener('datachannel', ({ channel }) => {
        channel.onmessage = () => channel.send('pong....');
      })`,
  );
  return () => evaluateInOffscreen<number>(from, 'globalThis.__benchPing.ping()');
}

/** Closes both ends (the peer hosts keep running). */
export async function closePingChannel(from: TestUser, to: TestUser): Promise<void> {
  await Promise.all([
    evaluateInOffscreen(from, 'globalThis.__benchPing?.pc.close(), true').catch(() => undefined),
    evaluateInOffscreen(to, 'globalThis.__benchPong?.close(), true').catch(() => undefined),
  ]);
}

/** How much a bulk sender keeps buffered: it sends while under `high`, then waits for `bufferedamountlow` at `low`. */
export type BulkBuffer = { high: number; low: number };

/**
 * The same kind of channel for bulk transfer: `from` streams `bytes` bytes in messages of `messageBytes`
 * (as fast as the channel takes them, keeping at most `buffer.high` bytes buffered — 4 MiB unless given — and
 * waiting for `bufferedamountlow` at `buffer.low`), `to` counts them and answers once all have arrived; the
 * time is `from`'s, from the first send to that answer — the raw cost of moving those bytes between the two
 * browsers, one way, plus one short message back. In `lockstep`, `to` acknowledges each message and `from`
 * sends the next only then: one round trip per message, as a sync session has per batch.
 *
 * Returns a transfer: milliseconds, measured inside `from`'s document.
 */
export async function openBulkChannel(
  from: TestUser,
  to: TestUser,
): Promise<(bytes: number, messageBytes: number, lockstep?: boolean, buffer?: BulkBuffer) => Promise<number>> {
  await pairChannel(
    from,
    to,
    'bench-bulk',
    `globalThis.__benchBulk = {
        pc,
        send: (total, size, lockstep, high, low) => new Promise((resolve) => {
          const message = new Uint8Array(size).fill(120);
          channel.bufferedAmountLowThreshold = low;
          let sent = 0;
          const next = () => {
            const n = Math.min(size, total - sent);
            channel.send(n === size ? message : message.subarray(0, n));
            sent += n;
          };
          const pump = () => {
            while (sent < total && channel.bufferedAmount < high) next();
            if (sent < total) channel.addEventListener('bufferedamountlow', pump, { once: true });
          };
          channel.onmessage = ({ data }) => {
            if (data === 'done') resolve(performance.now() - started);
            else if (sent < total) next(); // 'ack' in lockstep
          };
          const started = performance.now();
          channel.send(JSON.stringify({ total, lockstep }));
          if (lockstep) next();
          else pump();
        }),
      }`,
    `globalThis.__benchBulkSink = pc;
      pc.addEventListener('datachannel', ({ channel }) => {
        channel.binaryType = 'arraybuffer';
        let expected = Infinity;
        let received = 0;
        let lockstep = false;
        channel.onmessage = ({ data }) => {
          if (typeof data === 'string') {
            ({ total: expected, lockstep } = JSON.parse(data));
            received = 0;
            return;
          }
          received += data.byteLength;
          if (received >= expected) channel.send('done');
          else if (lockstep) channel.send('ack');
        };
      })`,
  );
  return (bytes, messageBytes, lockstep = false, buffer = { high: 4 << 20, low: 1 << 20 }) =>
    evaluateInOffscreen<number>(from, `globalThis.__benchBulk.send(${bytes}, ${messageBytes}, ${lockstep}, ${buffer.high}, ${buffer.low})`);
}

/** Closes both ends of the bulk channel. */
export async function closeBulkChannel(from: TestUser, to: TestUser): Promise<void> {
  await Promise.all([
    evaluateInOffscreen(from, 'globalThis.__benchBulk?.pc.close(), true').catch(() => undefined),
    evaluateInOffscreen(to, 'globalThis.__benchBulkSink?.close(), true').catch(() => undefined),
  ]);
}
