import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowFrame,
  incomingRelayFrame,
  parseClientFrame,
  parseServerFrame,
  presenceFrame,
  refusalCode,
  relayFrame,
  relayStatusFrame,
  SIGNALLING_LIMITS,
} from '../../core/signalling';

describe('broker frames, one module for both sides', () => {
  it('reads back every frame the broker builds', () => {
    for (const frame of [
      incomingRelayFrame('alice', 'n1', { any: ['json'] }),
      relayStatusFrame('n1', 'bob', 'delivered'),
      relayStatusFrame('n2', 'bob', 'rejected', 'queue_full'),
      presenceFrame(['bob'], ['carol']),
    ]) {
      expect(parseServerFrame(JSON.parse(JSON.stringify(frame)))).toEqual(frame);
    }
  });

  it('reads back every frame the client builds', () => {
    expect(parseClientFrame(JSON.stringify(allowFrame(['bob'], ['mallory'])))).toEqual({ type: 'PW_ALLOW', handles: ['bob'], blocked: ['mallory'] });
    const relay = relayFrame('bob', 'n1', { hello: 'bob' });
    expect(parseClientFrame(JSON.stringify(relay))).toEqual({
      type: 'PW_RELAY',
      dst: 'bob',
      id: 'n1',
      body: { hello: 'bob' },
      size: JSON.stringify(relay.payload).length,
    });
  });

  it.each([
    ['a relay from a handle that is not canonical', { type: 'PW_RELAY', src: 'Bob', payload: { id: '1', body: 1 } }],
    ['a relay without a body', { type: 'PW_RELAY', src: 'bob', payload: { id: '1' } }],
    ['a relay id over 64 characters', { type: 'PW_RELAY', src: 'bob', payload: { id: 'x'.repeat(65), body: 1 } }],
    ['an unknown relay status', { type: 'PW_RELAY_STATUS', payload: { id: '1', dst: 'bob', status: 'lost' } }],
    ['presence with a list that is not one', { type: 'PW_PRESENCE', payload: { online: 'bob', offline: [] } }],
    ['presence over the list limit', { type: 'PW_PRESENCE', payload: { online: Array(SIGNALLING_LIMITS.listHandles + 1).fill('bob'), offline: [] } }],
    ['a PeerJS frame', { type: 'OFFER', src: 'bob', payload: {} }],
    ['not an object', 'PW_PRESENCE'],
  ])('refuses %s', (_what, frame) => {
    expect(parseServerFrame(frame)).toBeNull();
  });

  it('counts a relay payload in UTF-8 bytes, so a wide payload is refused at 4 KiB', () => {
    const body = '😀'.repeat(1100); // 4 400 bytes of UTF-8, 2 200 UTF-16 units
    expect(parseClientFrame(JSON.stringify(relayFrame('bob', 'n', body)))).toMatchObject({ type: 'PW_RELAY_INVALID', reason: 'too_large', id: 'n' });
  });

  it('never throws on arbitrary JSON from either side', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseServerFrame(value);
        parseClientFrame(JSON.stringify(value));
        for (const type of ['PW_RELAY', 'PW_ALLOW', 'PW_RELAY_STATUS', 'PW_PRESENCE']) {
          parseServerFrame({ type, payload: value, src: value });
          parseClientFrame(JSON.stringify({ type, dst: value, payload: value }));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads the refusal code at the start of an ERROR message', () => {
    expect(refusalCode('signed_in_elsewhere: This handle is connected elsewhere.')).toBe('signed_in_elsewhere');
    expect(refusalCode('Something else')).toBeNull();
  });
});
