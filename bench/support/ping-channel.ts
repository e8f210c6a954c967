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
 * A data channel of its own between two Chromium peer hosts (offscreen documents), outside Peerwall's code:
 * the same two browsers and processes, the same host candidates on the same private network (no STUN, as the
 * e2e broker configures the product), no signing, storage or extension messaging. The harness carries the
 * offer and answer (whole, after ICE gathering). `from` sends PING_BYTES bytes, `to` answers with 8 bytes at
 * once, and `from` times the round trip with `performance.now()`.
 *
 * Returns a ping: the round trip in milliseconds, measured inside `from`'s document.
 */
export async function openPingChannel(from: TestUser, to: TestUser): Promise<() => Promise<number>> {
  const offer = await evaluateInOffscreen<string>(
    from,
    `(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const channel = pc.createDataChannel('bench-ping', { ordered: true });
      const payload = 'x'.repeat(${PING_BYTES});
      const opened = new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
      globalThis.__benchPing = {
        pc,
        opened,
        ping: () => new Promise((resolve) => {
          channel.onmessage = () => resolve(performance.now() - sent);
          const sent = performance.now();
          channel.send(payload);
        }),
      };
      await pc.setLocalDescription(await pc.createOffer());
      await (${GATHERED})(pc);
      return JSON.stringify(pc.localDescription);
    })()`,
  );
  const answer = await evaluateInOffscreen<string>(
    to,
    `(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      globalThis.__benchPong = pc;
      pc.addEventListener('datachannel', ({ channel }) => {
        channel.onmessage = () => channel.send('pong....');
      });
      await pc.setRemoteDescription(${offer});
      await pc.setLocalDescription(await pc.createAnswer());
      await (${GATHERED})(pc);
      return JSON.stringify(pc.localDescription);
    })()`,
  );
  await evaluateInOffscreen(
    from,
    `(async () => {
      await globalThis.__benchPing.pc.setRemoteDescription(${answer});
      await Promise.race([globalThis.__benchPing.opened, new Promise((_, reject) => setTimeout(() => reject(new Error('the ping channel did not open within 15 s')), 15000))]);
      return true;
    })()`,
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
