import { describe, expect, it } from 'vitest';
import { isCanonicalHandle, parseHandle } from '../../core/handle';

describe('parseHandle', () => {
  it.each([
    ['bob', 'bob'],
    ['@Bob', 'bob'],
    ['  @alice_01  ', 'alice_01'],
    ['a', 'a'],
    ['a1b2c3d4e5f6g7h', 'a1b2c3d4e5f6g7h'],
    ['x_y_z', 'x_y_z'],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseHandle(input)).toEqual({ ok: true, handle: expected });
  });

  it.each([
    [''],
    ['@'],
    ['@@bob'],
    ['_bob'],
    ['bob_'],
    ['bo__b'],
    ['bob!'],
    ['b ob'],
    ['a1b2c3d4e5f6g7h8'],
    ['ｂｏｂ'],
    ['\u212a'], // Kelvin sign lowercases to "k" in JavaScript
    ['bob\u0000'],
    ['\u00a0bob'], // String#trim strips non-ASCII spaces; they must be rejected, not ignored
    ['bob\u3000'],
    ['\ufeff@bob'],
  ])('rejects %j', (input) => {
    expect(parseHandle(input).ok).toBe(false);
  });

  it('rejects values that are not strings', () => {
    expect(parseHandle(42).ok).toBe(false);
    expect(parseHandle(null).ok).toBe(false);
  });

  it('recognises canonical handles only', () => {
    expect(isCanonicalHandle('bob')).toBe(true);
    expect(isCanonicalHandle('Bob')).toBe(false);
    expect(isCanonicalHandle('@bob')).toBe(false);
  });
});
