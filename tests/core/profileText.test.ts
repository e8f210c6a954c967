import { describe, expect, it } from 'vitest';
import { cleanAbout, cleanDisplayName } from '../../core/profileText';

describe('display names and abouts as shown', () => {
  it.each([
    ['@bob', 'bob'],
    ['@@ bob', 'bob'],
    ['Bob\u202E', 'Bob'],
    ['\u2067Bob\u2069 Smith', 'Bob Smith'],
    ['Al\u200Bice  \t Liddell ', 'Alice Liddell'],
    ['Zoë 😀', 'Zoë 😀'],
    ['\u0000\u0007', ''],
  ])('shows %j as %j', (raw, shown) => {
    expect(cleanDisplayName(raw)).toBe(shown);
  });

  it('keeps the line breaks of an about, and drops what would reorder or hide text', () => {
    expect(cleanAbout('line one\nline\u202E two\u200D\t!\n')).toBe('line one\nline two\t!');
  });
});
