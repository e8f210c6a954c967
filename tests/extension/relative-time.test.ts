import { describe, expect, it } from 'vitest';
import { relativeTime, timeAgo } from '@/components/social/relative-time';

const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
const NOW = at(2026, 11, 26, 15, 30);

describe('relative times', () => {
  it.each([
    [NOW - 20_000, 'just now'],
    [NOW + 120_000, 'just now'],
    [NOW - 5 * 60_000, '5 min'],
    [NOW - 59 * 60_000, '59 min'],
    [at(2026, 11, 26, 9, 0), '6 h'],
    [at(2026, 11, 25, 23, 50), 'yesterday'],
    [at(2026, 11, 22, 10, 0), '4 days'],
  ])('says %s as %j', (time, said) => {
    expect(relativeTime(time, NOW, 'en-US')).toBe(said);
  });

  it('gives the date past a week, with the year when it is not this one', () => {
    expect(relativeTime(at(2026, 3, 3), NOW, 'en-US')).toBe('Mar 3');
    expect(relativeTime(at(2025, 12, 24), NOW, 'en-US')).toBe('Dec 24, 2025');
  });

  it.each([
    [NOW - 20_000, 'just now'],
    [NOW - 5 * 60_000, '5 min ago'],
    [at(2026, 11, 26, 9, 0), '6 h ago'],
    [at(2026, 11, 25, 23, 50), 'yesterday'],
    [at(2026, 11, 22, 10, 0), '4 days ago'],
    [at(2026, 3, 3), 'on Mar 3'],
  ])('says %s inside a sentence as %j', (time, said) => {
    expect(timeAgo(time, NOW, 'en-US')).toBe(said);
  });
});
