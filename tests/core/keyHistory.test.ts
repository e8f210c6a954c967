import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../core/body';
import { exportIdentity, importIdentity } from '../../core/identityExport';
import { helloRotations, mergeHistory, readableBeforeRecovery } from '../../core/keyHistory';
import { decodeRecovery, encodeRecovery, signRecovery } from '../../core/recoveryStatement';
import { createRelayMessage, parseRelayMessage } from '../../core/relayMessage';
import { followsFromPinned, signRotation, verifyKeyStatement, verifyRotationChain } from '../../core/rotation';
import { publicKeyOf } from '../../core/signing';
import type { PeerMessage } from '../../core/messages';
import { judgeHello } from '../../core/syncHello';

const secret = (byte: number) => new Uint8Array(32).fill(byte);
const [s0, s1, s2, s3] = [secret(0x10), secret(0x11), secret(0x12), secret(0x13)];
const [k0, k1, k2, k3] = [s0, s1, s2, s3].map(publicKeyOf) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
const prev = new Uint8Array(32).fill(0x44);

/** carol rotated k0 → k1 at 3, lost k1 and recovered to k2 at 7, then rotated k2 → k3 at 9. */
const rotated = signRotation('carol', s0, k0, s1, k1, 3);
const recovered = signRecovery({ handle: 'carol', oldKey: k1, newKey: k2, atSeq: 7, prevSealHash: prev }, s2);
const later = signRotation('carol', s2, k2, s3, k3, 9);

describe('recovery statements (§4.2, version 5)', () => {
  it('decode to what was encoded and verify by the new key alone', () => {
    expect(decodeRecovery(encodeRecovery(recovered))).toEqual({ ok: true, value: recovered });
    expect(verifyKeyStatement(recovered)).toBe(true);
    const body = decodeBody('rotate', encodeRecovery(recovered));
    expect(body).toEqual({ ok: true, value: { kind: 'rotate', body: recovered } });
  });

  it.each([
    ['another position', { atSeq: 8 }],
    ['another previous entry', { prevSealHash: new Uint8Array(32).fill(0x45) }],
    ['another lost key', { oldKey: k0 }],
    ['the new key as the lost one', { oldKey: k2 }],
    ['an invalid handle', { handle: 'Carol' }],
  ])('do not verify when moved to %s', (_, change) => {
    expect(verifyKeyStatement({ ...recovered, ...change })).toBe(false);
  });

  it('never throw on arbitrary bytes, whichever format byte they start with', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(1, 2, 3), (bytes, format) => {
        const input = Uint8Array.of(format, ...bytes);
        expect(decodeBody('rotate', input).ok).toBe(false);
        expect(decodeRecovery(input).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('key histories with a recovery', () => {
  it('are valid chains whose genesis is the first key ever', () => {
    expect(verifyRotationChain('carol', [rotated, recovered, later], k3)).toEqual({ ok: true, value: { genesis: k0, current: k3 } });
    expect(verifyRotationChain('carol', [rotated, later], k3).ok).toBe(false);
  });

  it('are never followed from a pin through the recovery, only after it', () => {
    expect(followsFromPinned('carol', k1, k3, [rotated, recovered, later])).toBe(false);
    expect(followsFromPinned('carol', k0, k3, [rotated, recovered, later])).toBe(false);
    expect(followsFromPinned('carol', k2, k3, [rotated, recovered, later])).toBe(true);
  });

  it('travel in a hello from the last recovery on, and the pin keeps what came before', () => {
    expect(helloRotations([rotated, recovered, later])).toEqual([later]);
    expect(helloRotations([rotated])).toEqual([rotated]);
    expect(mergeHistory({ rotations: [rotated, recovered] }, [later])).toEqual([rotated, recovered, later]);
    expect(mergeHistory({ rotations: [rotated] }, [rotated])).toEqual([rotated]);
    // A confirmed recovery waits for its statement: the old history stays, the hello starts at the new key.
    expect(mergeHistory({ rotations: [rotated], recoveredFrom: k1 }, [later])).toEqual([rotated, later]);
  });

  it('come back from an identity export', () => {
    const identity = { handle: 'carol', secretKey: s3, publicKey: k3, rotations: [rotated, recovered, later] };
    const file = exportIdentity(identity, 'correct horse battery', { randomBytes: (n) => new Uint8Array(n).fill(7), now: () => 1, logN: 10 });
    if (!file.ok) throw new Error(file.reason);
    expect(importIdentity(file.value, 'correct horse battery')).toEqual({ ok: true, value: identity });
  });
});

describe("a recovering friend's hello (§7.2)", () => {
  type Hello = Extract<PeerMessage, { type: 'hello' }>;
  const hello = (key: Uint8Array, rotations: Hello['rotations'] = []): Hello => ({ type: 'hello', versions: [5], handle: 'carol', key, nonce: new Uint8Array(32), rotations });

  it('is taken from a pin that confirmed the new key, anchored at the old genesis', () => {
    const friend = { handle: 'carol', key: k2, rotations: [rotated], recoveredFrom: k1, since: 1 };
    expect(judgeHello('alice', 'carol', friend, { ...hello(k2), rotations: [] })).toEqual({ ok: true, genesis: k0, rotation: null });
    // A rotation after the recovery, before its entry arrived, keeps the old history under the pin.
    expect(judgeHello('alice', 'carol', friend, { ...hello(k3), rotations: [later] })).toEqual({ ok: true, genesis: k0, rotation: { key: k3, rotations: [rotated, later] } });
  });

  it('after the recovery joined the pin, shows only what follows it', () => {
    const friend = { handle: 'carol', key: k2, rotations: [rotated, recovered], since: 1 };
    expect(judgeHello('alice', 'carol', friend, { ...hello(k3), rotations: [later] })).toEqual({ ok: true, genesis: k0, rotation: { key: k3, rotations: [rotated, recovered, later] } });
  });

  it('refuses the lost key without asking once the new one was confirmed', () => {
    const friend = { handle: 'carol', key: k2, rotations: [rotated], recoveredFrom: k1, since: 1 };
    expect(judgeHello('alice', 'carol', friend, { ...hello(k1), rotations: [rotated] })).toMatchObject({ ok: false, code: 'key_changed', keyChanged: false });
  });

  it('is a key change the person decides on when nobody confirmed it', () => {
    const friend = { handle: 'carol', key: k1, rotations: [rotated], since: 1 };
    expect(judgeHello('alice', 'carol', friend, { ...hello(k2), rotations: [] })).toMatchObject({ ok: false, code: 'key_changed', keyChanged: true });
  });
});

describe('recover-request relay messages (§4.3)', () => {
  const carol = { handle: 'carol', secretKey: s2, publicKey: k2, rotations: [] };
  const make = (replyTo?: string) => createRelayMessage(carol, 'recover-request', 'alice', replyTo ? { replyTo } : {}, { randomBytes: (n) => new Uint8Array(n).fill(9), now: () => 1 });

  it('are signed by the new key and name no request', () => {
    const m = make();
    if (!m.ok) throw new Error(m.reason);
    expect(parseRelayMessage(JSON.parse(JSON.stringify(m.value)), 'carol', 'alice')).toEqual({ ok: true, value: m.value });
    const reply = make('09'.repeat(16));
    if (!reply.ok) throw new Error(reply.reason);
    expect(parseRelayMessage(reply.value, 'carol', 'alice')).toEqual({ ok: false, reason: 'only replies name a request' });
  });
});

describe('what a friend before version 5 may read of a recovered wall (§10)', () => {
  it('a friend\'s wall up to its first recovery entry, none of one\'s own, and all of a wall never recovered', () => {
    expect(readableBeforeRecovery([rotated, recovered, later], false)).toBe(6);
    expect(readableBeforeRecovery([rotated, recovered, later], true)).toBe(0);
    expect(readableBeforeRecovery([rotated, later], false)).toBeNull();
    expect(readableBeforeRecovery([], true)).toBeNull();
  });
});
