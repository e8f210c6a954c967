import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignallingHub, type Connection } from '../../broker/signalling/hub';
import { createLocalMesh } from '../../broker/signalling/mesh';
import { createRelayQueue } from '../../broker/signalling/relay-queue';
import type { Session } from '../../broker/tokens';
import { createWindowCounter } from '../../broker/window-counter';

/** A socket end that records what the hub sends. */
function recorder(): Connection & { frames: string[]; closes: number } {
  const connection = {
    frames: [] as string[],
    closes: 0,
    send: (frame: string) => void connection.frames.push(frame),
    close: () => void (connection.closes += 1),
    bufferedAmount: 0,
    terminate: () => void (connection.closes += 1),
  };
  return connection;
}

const session = (handle: string, startedAt: number): Session => ({ handle, sessionId: `s-${handle}`, startedAt, tokenVersion: 1 });

async function hubWithPeers() {
  const errors: unknown[] = [];
  const hub = new SignallingHub({
    onError: (error) => void errors.push(error),
    maxConnections: 10,
    messagesPerSecond: 1_000_000,
    bytesPerSecond: 1_000_000_000,
    maxUnsentBytes: 1_000_000_000,
    aliveTimeoutMs: 60_000,
    isActiveHandle: () => true,
    mesh: createLocalMesh(createRelayQueue({})),
    relayLimiter: createWindowCounter({ limit: 1_000_000, windowMs: 60_000 }),
  });
  const alice = recorder();
  const bob = recorder();
  const alicePeer = await hub.admit(session('alice', 1), alice);
  const bobPeer = await hub.admit(session('bob', 2), bob);
  if (typeof alicePeer === 'string' || typeof bobPeer === 'string') throw new Error('not admitted');
  // Each allows the other, so every signal is relayed and serialized.
  hub.receive(alicePeer, JSON.stringify({ type: 'PW_ALLOW', payload: { handles: ['bob'] } }));
  hub.receive(bobPeer, JSON.stringify({ type: 'PW_ALLOW', payload: { handles: ['alice'] } }));
  await Promise.all([hub.settled(alicePeer), hub.settled(bobPeer)]);
  return { hub, alicePeer, bob, errors };
}

const types = ['HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'PW_ALLOW', 'PW_RELAY', 'EXPIRE', 'OPEN'];

describe('signalling hub robustness', () => {
  it('never throws on arbitrary text from a client', async () => {
    const { hub, alicePeer, errors } = await hubWithPeers();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        hub.receive(alicePeer, text);
        await hub.settled(alicePeer);
      }),
    );
    expect(errors).toEqual([]);
  });

  it('never throws on well-typed frames with arbitrary fields', async () => {
    const { hub, alicePeer, errors } = await hubWithPeers();
    const frame = fc.record(
      {
        type: fc.oneof(fc.constantFrom(...types), fc.jsonValue()),
        dst: fc.oneof(fc.constantFrom('bob', 'alice', 'nobody', 'Bob'), fc.jsonValue()),
        src: fc.jsonValue(),
        payload: fc.oneof(
          fc.jsonValue(),
          fc.record({ id: fc.oneof(fc.string(), fc.jsonValue()), body: fc.jsonValue() }, { requiredKeys: [] }),
          fc.record({ handles: fc.oneof(fc.array(fc.constantFrom('bob', 'carol', 'x__y')), fc.jsonValue()) }, { requiredKeys: [] }),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(frame, async (value) => {
        hub.receive(alicePeer, JSON.stringify(value));
        await hub.settled(alicePeer);
      }),
    );
    expect(errors).toEqual([]);
  });

  it.each(['OFFER', 'CANDIDATE', 'PW_RELAY', 'PW_ALLOW'])('never throws on a %s nested 20 000 levels deep', async (type) => {
    const { hub, alicePeer, bob, errors } = await hubWithPeers();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const before = bob.frames.length;
    expect(() =>
      hub.receive(alicePeer, `{"type":"${type}","dst":"bob","payload":{"id":"x","body":${deep},"handles":${deep}}}`),
    ).not.toThrow();
    await hub.settled(alicePeer);
    expect(bob.frames.length).toBe(before);
    expect(errors).toEqual([]);
  });
});
