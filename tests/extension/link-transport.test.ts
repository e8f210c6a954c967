import { describe, expect, it } from 'vitest';
import { LIMITS } from '@/core/limits';
import { createLinkTransport } from '@/platform/social/link-transport';
import { FakeLink } from './support/fake-peer';
import { flush } from './support/fake-time';

function pair() {
  const mine = new FakeLink('bob');
  const theirs = new FakeLink('alice');
  mine.partner = theirs;
  theirs.partner = mine;
  return { mine, theirs };
}

describe('sync link transport', () => {
  it('passes binary frames through in order, including ones that arrived before the session listened', async () => {
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0);
    theirs.send(new Uint8Array([1]));
    theirs.send(new Uint8Array([2]).buffer);
    await flush();
    const seen: number[] = [];

    transport.onFrame((frame) => seen.push(frame[0]!));
    theirs.send(new Uint8Array([3]));
    await flush();

    expect(seen).toEqual([1, 2, 3]);
  });

  it('cuts off a peer that sends more frames per minute than allowed, and says why', async () => {
    const { mine, theirs } = pair();
    let now = 0;
    const transport = createLinkTransport(mine, () => now, { framesPerMinute: 3, bytesPerHour: 1e9 });
    let closed = false;
    transport.onClose(() => (closed = true));
    transport.onFrame(() => undefined);

    for (let i = 0; i < 3; i++) theirs.send(new Uint8Array([i]));
    await flush();
    expect(closed).toBe(false);
    now = 61_000; // a new minute
    for (let i = 0; i < 4; i++) theirs.send(new Uint8Array([i]));
    await flush();

    expect(closed).toBe(true);
    expect(mine.closed).toBe(true);
    expect(transport.violation).toBe('@bob sent too many messages.');
  });

  it('drops a message far over the frame limit unread and cuts the peer off, while one just over it reaches the session', async () => {
    // A `binary` link (an older peer's dial) reassembles messages of any size; `raw` ones stop at the channel's limit.
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0);
    const seen: number[] = [];
    transport.onFrame((frame) => seen.push(frame.length));

    theirs.send(new Uint8Array(LIMITS.frameBytes + 512)); // the session answers `too_large` (tests/core/sync.test.ts)
    await flush();
    expect(seen).toEqual([LIMITS.frameBytes + 512]);
    expect(mine.closed).toBe(false);

    theirs.send(new Uint8Array(4 * LIMITS.frameBytes));
    await flush();
    expect(seen).toHaveLength(1);
    expect(mine.closed).toBe(true);
    expect(transport.violation).toBe('@bob sent a message larger than the protocol allows.');
  });

  it('cuts off a peer over its hourly byte budget', async () => {
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0, { framesPerMinute: 1000, bytesPerHour: 100 });
    const got: Uint8Array[] = [];
    transport.onFrame((f) => got.push(f));

    theirs.send(new Uint8Array(60));
    theirs.send(new Uint8Array(60));
    await flush();

    expect(got).toHaveLength(1);
    expect(transport.violation).toMatch(/too much data/);
  });

  it('does not count the photo chunks this side asked for against the peer, up to two fetch windows', async () => {
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0, { framesPerMinute: 3, bytesPerHour: 1e9 });
    const got: Uint8Array[] = [];
    transport.onFrame((f) => got.push(f));

    transport.solicit(1000);
    for (let i = 0; i < 2 * LIMITS.wideMediaChunksInFlight; i++) theirs.send(new Uint8Array(LIMITS.mediaChunkBytes + 40));
    await flush();
    expect(transport.violation).toBeNull();
    for (let i = 0; i < 3; i++) theirs.send(new Uint8Array(10));
    await flush();
    expect(transport.violation, 'three unasked frames fit the limit of three').toBeNull();
    theirs.send(new Uint8Array(10));
    await flush();

    expect(got).toHaveLength(2 * LIMITS.wideMediaChunksInFlight + 3);
    expect(transport.violation).toBe('@bob sent too many messages.');
  });

  it('counts a frame larger than a photo chunk against the peer even when chunks were asked for', async () => {
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0, { framesPerMinute: 1000, bytesPerHour: 100_000 });
    transport.onFrame(() => undefined);

    transport.solicit(4);
    theirs.send(new Uint8Array(LIMITS.mediaChunkBytes + 1024));
    theirs.send(new Uint8Array(LIMITS.mediaChunkBytes + 1024));
    await flush();

    expect(transport.violation).toMatch(/too much data/);
  });

  it('turns non-binary data into an empty frame the protocol rejects', async () => {
    const { mine, theirs } = pair();
    const transport = createLinkTransport(mine, () => 0);
    const got: Uint8Array[] = [];
    transport.onFrame((f) => got.push(f));

    theirs.send({ type: 'pw-ping', nonce: 'x' });
    await flush();

    expect(got).toEqual([new Uint8Array(0)]);
  });
});
