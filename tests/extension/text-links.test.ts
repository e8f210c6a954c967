import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitLinks } from '@/platform/social/text-links';

describe('links in post text', () => {
  it('turns http and https URLs into links and leaves the rest as text', () => {
    expect(splitLinks('see https://example.org/a?b=1, or http://x.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('links bare domains as https, with their path, but not the end of a sentence', () => {
    expect(splitLinks('try example.org or www.foo.com.au/a?b=1.')).toEqual([
      { kind: 'text', text: 'try ' },
      { kind: 'link', text: 'example.org', href: 'https://example.org/' },
      { kind: 'text', text: ' or ' },
      { kind: 'link', text: 'www.foo.com.au/a?b=1', href: 'https://www.foo.com.au/a?b=1' },
      { kind: 'text', text: '.' },
    ]);
  });

  it.each(['e.g. this', 'notes.txt', 'mail bob@example.org', 'example.organic', 'v1.2.3', '...com'])('leaves %j as text', (text) => {
    expect(splitLinks(text).filter((p) => p.kind === 'link')).toEqual([]);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://files.test/x', '<a href="https">x</a>', 'https://'])(
    'never makes a link of %s',
    (text) => {
      expect(splitLinks(text).filter((p) => p.kind === 'link')).toEqual([]);
    },
  );

  it('keeps every character of any text, in order', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(splitLinks(text).map((p) => p.text).join('')).toBe(text);
      }),
    );
  });
});
