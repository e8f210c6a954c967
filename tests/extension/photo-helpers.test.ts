import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitWithin } from '@/platform/photos/canvas-encode';
import { sniffImageType } from '@/platform/photos/image-type';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('photo helpers', () => {
  it.each([
    ['a JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['a PNG', bytes([0x89], 'PNG\r\n', [0x1a, 0x0a]), 'image/png'],
    ['a GIF89a', bytes('GIF89a'), 'image/gif'],
    ['a GIF87a', bytes('GIF87a'), 'image/gif'],
    ['a WebP', bytes('RIFF', [1, 2, 3, 4], 'WEBP'), 'image/webp'],
    ['a RIFF that is not WebP (a WAV)', bytes('RIFF', [1, 2, 3, 4], 'WAVE'), null],
    ['an SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg">'), null],
    ['text', bytes('hello'), null],
    ['nothing', bytes(), null],
  ])('knows %s by its first bytes', (_, head, type) => {
    expect(sniffImageType(head)).toBe(type);
  });

  it.each([
    [3000, 1500, 2048, { width: 2048, height: 1024 }],
    [1500, 3000, 2048, { width: 1024, height: 2048 }],
    [640, 480, 2048, { width: 640, height: 480 }],
    [10_000, 3, 320, { width: 320, height: 1 }],
  ])('fits %i × %i within %i px on the long side, never enlarging', (width, height, side, fitted) => {
    expect(fitWithin(width, height, side)).toEqual(fitted);
  });

  it.each(readdirSync(join(__dirname, '../../platform/photos')))('keeps %s free of extension APIs, so a page or a worker can run it', (file) => {
    const source = readFileSync(join(__dirname, '../../platform/photos', file), 'utf8');
    for (const pattern of [/\bbrowser\./, /\bchrome\./, /from ['"]wxt/, /\bdocument\./]) expect(source, `${file} matches ${pattern}`).not.toMatch(pattern);
  });
});
