import { describe, expect, it } from 'vitest';
import { AVATAR_TEXT, avatarColours, avatarHue, contrastRatio, initialsOf } from '@/components/social/avatar-look';

describe('initials beside a name without a picture', () => {
  it.each([
    ['Alice Liddell', 'alice', 'AL'],
    ['alice', 'alice', 'A'],
    ['Jean-Luc Picard Junior', 'jl', 'JP'],
    ['  émile   zola ', 'emile', 'ÉZ'],
    ['(Bob) the builder', 'bob', 'BT'],
    ['', 'carol', 'C'],
    [undefined, 'dave', 'D'],
    ['🙂 ✨', 'eve', 'E'],
    ['李 小龙', 'li', '李小'],
  ])('%j for @%s reads %s', (name, handle, initials) => {
    expect(initialsOf(name, handle)).toBe(initials);
  });
});

describe('the colour of an initials circle', () => {
  it('comes from the handle: the same for the same handle, and different handles spread over the hues', () => {
    expect(avatarColours('alice')).toEqual(avatarColours('alice'));
    const hues = new Set(['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi'].map(avatarHue));
    expect(hues.size).toBeGreaterThanOrEqual(7);
  });

  it('gives its text at least 4.5:1 contrast (WCAG AA) for every hue, in the light and the dark scheme', () => {
    // Handles chosen until every hue 0–359 has been seen: the check covers the whole wheel.
    const seen = new Map<number, string>();
    for (let i = 0; seen.size < 360 && i < 200_000; i++) {
      const handle = `u${i}`;
      if (!seen.has(avatarHue(handle))) seen.set(avatarHue(handle), handle);
    }
    expect(seen.size).toBe(360);
    for (const handle of seen.values()) {
      const { light, dark } = avatarColours(handle);
      expect(contrastRatio(light, AVATAR_TEXT.light), `${handle} light ${light}`).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(dark, AVATAR_TEXT.dark), `${handle} dark ${dark}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('computes contrast as WCAG does', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
});
