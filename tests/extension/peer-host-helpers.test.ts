import { describe, expect, it } from 'vitest';
import { backoffDelay } from '@/platform/peer-host/backoff';
import { refusalCode } from '@/core/signalling';
import { judgePeerError } from '@/platform/peer-host/broker-refusal';
import { refreshDueAt } from '@/platform/peer-host/token-timing';

describe('backoff', () => {
  it('doubles from one second, caps at a minute and jitters within the upper half', () => {
    const options = { baseMs: 1_000, maxMs: 60_000 };
    expect([0, 1, 2, 3, 6, 7, 50].map((n) => backoffDelay(n, 0, options))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
    expect([0, 1, 6, 50].map((n) => backoffDelay(n, 0.999999, options))).toEqual([1000, 2000, 60_000, 60_000]);
  });
});

describe('broker refusals', () => {
  it('reads the code at the start of a server-error message', () => {
    expect(refusalCode('signed_in_elsewhere: A newer sign-in replaced this one.')).toBe('signed_in_elsewhere');
    expect(refusalCode('Lost connection to server.')).toBeNull();
  });

  it.each([
    [{ type: 'server-error', message: 'signed_in_elsewhere: x' }, { kind: 'displaced' }],
    [{ type: 'server-error', message: 'auth_expired: x' }, { kind: 'expired' }],
    [{ type: 'server-error', message: 'auth_revoked: x' }, { kind: 'session_invalid', code: 'auth_revoked' }],
    [{ type: 'server-error', message: 'auth_missing: x' }, { kind: 'session_invalid', code: 'auth_missing' }],
    [{ type: 'server-error', message: 'server_full: x' }, { kind: 'retry', reason: 'server_full' }],
    [{ type: 'server-error', message: 'Could not get an ID from the server.' }, { kind: 'retry', reason: 'server_error' }],
    [{ type: 'network', message: 'Lost connection to server.' }, { kind: 'retry', reason: 'network' }],
    [{ type: 'socket-closed', message: '' }, { kind: 'retry', reason: 'socket-closed' }],
    [{ type: 'peer-unavailable', message: 'Could not connect to peer bob' }, { kind: 'ignore' }],
    [{ type: 'webrtc', message: 'ICE failed' }, { kind: 'ignore' }],
  ])('judges %o as %o', (error, verdict) => {
    expect(judgePeerError(error)).toEqual(verdict);
  });
});

describe('token refresh timing', () => {
  const HOUR = 60 * 60_000;
  const WEEK = 7 * 24 * HOUR;

  it('refreshes a 30-day token a week before it expires', () => {
    expect(refreshDueAt({ obtainedAt: 0, expiresAt: 30 * 24 * HOUR }, WEEK)).toBe(23 * 24 * HOUR);
  });

  it('refreshes a short-lived token at half its life', () => {
    expect(refreshDueAt({ obtainedAt: 1_000, expiresAt: 1_000 + 2 * HOUR }, WEEK)).toBe(1_000 + HOUR);
  });
});
