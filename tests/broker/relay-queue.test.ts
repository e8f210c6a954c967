import { describe, expect, it } from 'vitest';
import { createRelayQueue } from '../../broker/signalling/relay-queue';

const DAY = 24 * 60 * 60_000;
/** Adds a relay whose frame names its sender and id, so `take` shows who got through. */
const add = (queue: ReturnType<typeof createRelayQueue>, dst: string, src: string, id: string, padding = '') =>
  queue.add(dst, src, id, JSON.stringify({ src, id, padding }));
const ids = (frames: string[]) => frames.map((frame) => (JSON.parse(frame) as { id: string }).id);

describe('relay queue', () => {
  it('drops relays older than 7 days', () => {
    let now = 0;
    const queue = createRelayQueue({ now: () => now });
    add(queue, 'bob', 'alice', '1');
    now += 7 * DAY;
    add(queue, 'bob', 'alice', '2');
    expect(ids(queue.take('bob'))).toEqual(['2']);
    expect([queue.size, queue.bytes]).toEqual([0, 0]);
  });

  it('keeps one copy of a relay sent again with the same id', () => {
    const queue = createRelayQueue();
    add(queue, 'bob', 'alice', 'request');
    add(queue, 'bob', 'carol', 'other');
    add(queue, 'bob', 'alice', 'request');
    expect(ids(queue.take('bob'))).toEqual(['other', 'request']);
  });

  it('lets a sender flooding one handle push out only its own relays to it', () => {
    const queue = createRelayQueue({ perPair: 4 });
    add(queue, 'bob', 'alice', 'real');
    for (let i = 0; i < 20; i++) add(queue, 'bob', 'mallory', `m${i}`);
    expect(ids(queue.take('bob'))).toEqual(['real', 'm16', 'm17', 'm18', 'm19']);
  });

  it('makes room for a real friend in a handle’s full queue at the expense of whoever holds the most', () => {
    const queue = createRelayQueue({ perDestination: 32, perPair: 16 });
    for (let i = 0; i < 16; i++) add(queue, 'bob', 'm1', `a${i}`);
    for (let i = 0; i < 16; i++) add(queue, 'bob', 'm2', `b${i}`);
    add(queue, 'bob', 'alice', 'real'); // m1 and m2 hold as many: the first to hold loses its oldest
    add(queue, 'bob', 'm1', 'a16'); // m2 holds more now: it loses its oldest
    add(queue, 'bob', 'm1', 'a17'); // as many as m2: m1's flood pushes out its own
    const frames = ids(queue.take('bob'));
    expect(frames).toHaveLength(32);
    expect(frames.filter((id) => id === 'real')).toEqual(['real']);
    expect(frames.filter((id) => id.startsWith('a'))).toEqual(Array.from({ length: 16 }, (_, i) => `a${i + 2}`));
    expect(frames.filter((id) => id.startsWith('b'))).toEqual(Array.from({ length: 15 }, (_, i) => `b${i + 1}`));
  });

  it('keeps a real friend’s relay while two accounts send all they may to the same handle', () => {
    const queue = createRelayQueue();
    add(queue, 'bob', 'alice', 'real');
    for (let i = 0; i < 60; i++) add(queue, 'bob', 'm1', `a${i}`), add(queue, 'bob', 'm2', `b${i}`);
    expect(ids(queue.take('bob'))).toEqual(['real', 'a56', 'b56', 'a57', 'b57', 'a58', 'b58', 'a59', 'b59']);
  });

  it('bounds what one sender holds over all handles, pushing out its own oldest', () => {
    const queue = createRelayQueue({ perSender: 3 });
    add(queue, 'carol', 'alice', 'real');
    for (let i = 0; i < 10; i++) add(queue, `h${i}`, 'mallory', `m${i}`);
    expect(queue.size).toBe(4);
    expect(ids(queue.take('carol'))).toEqual(['real']);
    expect(ids(queue.take('h9'))).toEqual(['m9']);
    expect(queue.take('h0')).toEqual([]);
  });

  it('bounds the bytes held, taking room from the sender that holds the most', () => {
    const kib = 'x'.repeat(1024);
    const queue = createRelayQueue({ totalBytes: 5_000 });
    for (let i = 0; i < 8; i++) add(queue, `h${i}`, 'mallory', `m${i}`, kib); // about 1 060 bytes each
    expect(queue.size).toBe(4);
    add(queue, 'bob', 'alice', 'real', kib);
    expect(queue.bytes).toBeLessThanOrEqual(5_000);
    expect(ids(queue.take('bob'))).toEqual(['real']);
    expect([...queue.take('h3'), ...queue.take('h4')]).toEqual([]);
    expect(ids([...queue.take('h5'), ...queue.take('h6'), ...queue.take('h7')])).toEqual(['m5', 'm6', 'm7']);
  });

  it('bounds the count over all handles the same way', () => {
    const queue = createRelayQueue({ total: 5 });
    for (let i = 0; i < 10; i++) add(queue, `h${i}`, 'mallory', `m${i}`);
    add(queue, 'bob', 'alice', 'real');
    expect(queue.size).toBe(5);
    expect(ids(queue.take('bob'))).toEqual(['real']);
  });

  it('holds a queued relay as its frame’s bytes, not as the parsed body', () => {
    const queue = createRelayQueue();
    const frame = JSON.stringify({ type: 'PW_RELAY', src: 'mallory', payload: { id: 'x', body: JSON.parse('['.repeat(60) + ']'.repeat(60)) } });
    queue.add('bob', 'mallory', 'x', frame);
    expect(queue.bytes).toBe(Buffer.byteLength(frame));
    expect(queue.take('bob')).toEqual([frame]);
  });

  it('refuses only a frame larger than all the bytes it may hold', () => {
    const queue = createRelayQueue({ totalBytes: 100 });
    expect(queue.add('bob', 'alice', 'big', 'x'.repeat(101))).toBe(false);
    expect(queue.add('bob', 'alice', 'small', 'x'.repeat(100))).toBe(true);
  });
});
