import { describe, expect, it } from 'vitest';
import { DRAIN_THRESHOLD_BYTES } from '@/platform/social/channel-drain';
import { createLinkTransport } from '@/platform/social/link-transport';
import type { BufferedChannel } from '@/platform/ports';
import { FakeLink } from './support/fake-peer';
import { flush } from './support/fake-time';

/** An RTCDataChannel's send buffer as the browser runs it: the test moves `bufferedAmount` and fires its events. */
class FakeChannel extends EventTarget implements BufferedChannel {
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readyState: RTCDataChannelState = 'open';
  listeners = 0;
  override addEventListener(type: string, listener: () => void): void {
    this.listeners += 1;
    super.addEventListener(type, listener);
  }
  override removeEventListener(type: string, listener: () => void): void {
    this.listeners -= 1;
    super.removeEventListener(type, listener);
  }
  /** The browser sent bytes: below the threshold it fires `bufferedamountlow`, as WebRTC §6.2 says. */
  sendOut(bytes: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount = Math.max(0, before - bytes);
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.dispatchEvent(new Event('bufferedamountlow'));
  }
  closeChannel(): void {
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
}

function linkWith(channel: FakeChannel | null) {
  const link = new FakeLink('bob') as FakeLink & { channel(): BufferedChannel | null };
  link.channel = () => channel;
  return { link, transport: createLinkTransport(link, () => 0) };
}

/** Whether `promise` has settled once pending events and microtasks ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await flush();
  return done;
}

describe('backpressure on the data channel', () => {
  it('resolves at once while the buffer is at or under the threshold, and when there is no channel yet', async () => {
    const channel = new FakeChannel();
    channel.bufferedAmount = DRAIN_THRESHOLD_BYTES;
    expect(await settled(linkWith(channel).transport.drained!())).toBe(true);
    expect(await settled(linkWith(null).transport.drained!())).toBe(true);
    expect(channel.listeners).toBe(0);
  });

  it('waits above the threshold until the channel says its buffer is low, then lets go of its listeners', async () => {
    const channel = new FakeChannel();
    const { transport } = linkWith(channel);
    channel.bufferedAmount = DRAIN_THRESHOLD_BYTES + 64 * 1024;

    const wait = transport.drained!();
    expect(channel.bufferedAmountLowThreshold).toBe(DRAIN_THRESHOLD_BYTES);
    expect(await settled(wait)).toBe(false);
    channel.sendOut(32 * 1024);
    expect(await settled(wait)).toBe(false);
    channel.sendOut(32 * 1024);

    expect(await settled(wait)).toBe(true);
    expect(channel.listeners).toBe(0);
  });

  it('never hangs after the channel closes: a pending wait ends, and a later one resolves at once', async () => {
    const channel = new FakeChannel();
    const { transport } = linkWith(channel);
    channel.bufferedAmount = 4 * DRAIN_THRESHOLD_BYTES;
    const wait = transport.drained!();

    channel.closeChannel();

    expect(await settled(wait)).toBe(true);
    expect(await settled(transport.drained!())).toBe(true);
  });

  it('ends every wait when the link is cut, even if the channel never reports it', async () => {
    const channel = new FakeChannel();
    const { link, transport } = linkWith(channel);
    channel.bufferedAmount = 4 * DRAIN_THRESHOLD_BYTES;
    const waits = [transport.drained!(), transport.drained!()];

    link.close();

    expect(await settled(Promise.all(waits).then(() => undefined))).toBe(true);
    expect(await settled(transport.drained!())).toBe(true);
    expect(channel.listeners).toBe(0);
  });
});
