import { describe, expect, it } from 'vitest';
import { createSignalDedupe } from '@/platform/peer-host/signal-dedupe';

const frame = (type: string, src: string, connectionId: string) => ({ type, src, dst: 'alice', payload: { connectionId, sdp: { type: 'offer', sdp: 'v=0' } } });

describe('signalling frames a path repeated', () => {
  it('drops the second OFFER and the second ANSWER of one connection, and nothing else', () => {
    const repeated = createSignalDedupe();

    expect(repeated(frame('OFFER', 'bob', 'dc_1'))).toBe(false);
    expect(repeated(frame('OFFER', 'bob', 'dc_1'))).toBe(true);
    expect(repeated(frame('ANSWER', 'bob', 'dc_1'))).toBe(false);
    expect(repeated(frame('ANSWER', 'bob', 'dc_1'))).toBe(true);
    expect(repeated(frame('OFFER', 'bob', 'dc_2'))).toBe(false);
    expect(repeated(frame('OFFER', 'carol', 'dc_1'))).toBe(false);
    expect(repeated(frame('CANDIDATE', 'bob', 'dc_1'))).toBe(false);
    expect(repeated(frame('CANDIDATE', 'bob', 'dc_1'))).toBe(false);
    expect(repeated({ type: 'PW_PRESENCE', payload: { online: ['bob'] } })).toBe(false);
    expect(repeated({ type: 'PW_PRESENCE', payload: { online: ['bob'] } })).toBe(false);
  });

  it('passes malformed frames on untouched (PeerJS ignores them) and remembers a bounded number of connections', () => {
    const repeated = createSignalDedupe(2);
    for (const odd of [null, 'OFFER', { type: 'OFFER' }, { type: 'OFFER', src: 'bob', payload: { connectionId: 7 } }]) {
      expect(repeated(odd)).toBe(false);
      expect(repeated(odd)).toBe(false);
    }
    repeated(frame('OFFER', 'bob', 'dc_1'));
    repeated(frame('OFFER', 'bob', 'dc_2'));
    repeated(frame('OFFER', 'bob', 'dc_3'));
    expect(repeated(frame('OFFER', 'bob', 'dc_1'))).toBe(false); // forgotten
    expect(repeated(frame('OFFER', 'bob', 'dc_3'))).toBe(true);
  });
});
