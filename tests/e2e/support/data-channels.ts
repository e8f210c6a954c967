import { evaluateInOffscreen } from './social';
import type { TestUser } from './test-user';

/**
 * Every data channel the peer host sends on is remembered (PeerJS sends each sync frame with
 * `RTCDataChannel.send`, and both sides of a sync connection send as soon as it opens), so the test can
 * later drop them as a network failure would.
 */
const TRACK_DATA_CHANNELS = `(() => {
  if (globalThis.__pwChannels) return true;
  const channels = new Set();
  globalThis.__pwChannels = channels;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (...args) {
    channels.add(this);
    return send.apply(this, args);
  };
  return true;
})()`;

/** Starts remembering `user`'s data channels (Chromium); call before the connections to drop are made. */
export async function trackDataChannels(user: TestUser): Promise<void> {
  await evaluateInOffscreen(user, TRACK_DATA_CHANNELS);
}

/**
 * Closes every open data channel of `user`'s peer host, as a dropped network path would end them: both
 * sides see the channel close. Returns how many were open.
 */
export async function dropDataChannels(user: TestUser): Promise<number> {
  const dropped = await evaluateInOffscreen<number | null>(
    user,
    `(async () => {
      if (!globalThis.__pwChannels) return null;
      const open = [...globalThis.__pwChannels].filter((channel) => channel.readyState === 'open');
      // Resolves after PeerJS's own close handler (registered first) has run.
      const closed = open.map((channel) => new Promise((resolve) => channel.addEventListener('close', resolve, { once: true })));
      for (const channel of open) channel.close();
      await Promise.all(closed);
      return open.length;
    })()`,
  );
  // A reloaded document lost the tracker: "nothing to drop" would prove nothing.
  if (dropped === null) throw new Error(`${user.name}'s offscreen document was reloaded while its data channels were tracked`);
  return dropped;
}
