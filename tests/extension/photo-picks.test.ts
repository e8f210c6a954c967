import { describe, expect, it } from 'vitest';
import { acceptPicked, canPickPhotosHere } from '@/components/social/photo-picks';

const file = (name: string, type = 'image/jpeg', size = 1000) => ({ name, type, size });

describe('picking photos for a post', () => {
  it('takes what fits after the photos already picked, and names the first that does not', () => {
    const picked = acceptPicked(3, [file('a.jpg'), file('b.jpg')]);
    expect(picked.accepted.map((f) => f.name)).toEqual(['a.jpg']);
    expect(picked.problem).toBe('A post can have at most 4 photos.');
  });

  it('keeps the other photos of a pick when one is not an image', () => {
    const picked = acceptPicked(0, [file('notes.txt', 'text/plain'), file('b.webp', 'image/webp')]);
    expect(picked.accepted.map((f) => f.name)).toEqual(['b.webp']);
    expect(picked.problem).toMatch(/^notes\.txt is not a photo Peerwall can post/);
  });

  it('picks in Chromium anywhere and in Firefox everywhere but the popup, which a file picker closes', () => {
    expect(canPickPhotosHere('chrome', 'popup')).toBe(true);
    expect(canPickPhotosHere('firefox', 'sidepanel')).toBe(true);
    expect(canPickPhotosHere('firefox', 'popup')).toBe(false);
  });
});
