import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@/core/limits';
import { FULL_LONG_SIDE } from '@/platform/photos/reencode';
import { EXIF_DESCRIPTION, GPS_LATITUDE_BYTES, containsBytes, jpegSegmentMarkers, withGpsExif } from './support/exif-fixture';
import { openBrowserPage, type BrowserName, type BrowserPage } from './support/page-browsers';
import { serveTestPage, type TestPage } from './support/test-page';

type Described = {
  bytes: string;
  type: string;
  width: number;
  height: number;
  decoded: { width: number; height: number };
  ref: { sha256: string; size: number; type: string; chunks: number };
};
type Outcome = { reason: string } | { full: Described; thumbnail: Described };

const bytesOf = (d: Described) => new Uint8Array(Buffer.from(d.bytes, 'base64'));
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const APP1 = 0xe1;
const EXIF_HEADER = new TextEncoder().encode('Exif\0\0');
/** A 1 × 1 red GIF87a. */
const RED_PIXEL_GIF = 'R0lGODdhAQABAPAAAP8AAAAAACwAAAAAAQABAAACAkQBADs=';

function photo(outcome: Outcome): { full: Described; thumbnail: Described } {
  if ('reason' in outcome) throw new Error(`refused: ${outcome.reason}`);
  return outcome;
}

/** What must hold of every re-encoded image: its ref names exactly its bytes, and it decodes at its stated size. */
function expectConsistent(image: Described): void {
  const bytes = bytesOf(image);
  expect(image.ref.size).toBe(bytes.length);
  expect(image.ref.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(image.ref.type).toBe(image.type);
  expect(image.decoded).toEqual({ width: image.width, height: image.height });
}

let server: TestPage;
beforeAll(async () => {
  server = await serveTestPage('tests/browser/support/reencode-page.ts');
});
afterAll(() => server?.close());

describe.each<BrowserName>(['chromium', 'firefox'])('re-encoding a photo in %s', (browserName) => {
  let page: BrowserPage;
  beforeAll(async () => {
    page = await openBrowserPage(browserName, server.url);
  });
  afterAll(() => page?.close());

  it('drops the EXIF segment and its GPS position, turns the photo upright, and bounds both sizes', async () => {
    const plain = new Uint8Array(Buffer.from(await page.call<string>('encodedImage', 3000, 1500, 'image/jpeg'), 'base64'));
    const fixture = withGpsExif(plain);
    // The fixture really carries what must go: an APP1 Exif segment with the GPS latitude and a description.
    expect(jpegSegmentMarkers(fixture)).toContain(APP1);
    expect(containsBytes(fixture, GPS_LATITUDE_BYTES)).toBe(true);

    const { full, thumbnail } = photo(await page.call<Outcome>('reencode', toBase64(fixture), 'image/jpeg'));

    for (const image of [full, thumbnail]) {
      const bytes = bytesOf(image);
      expect(image.type).toBe('image/jpeg');
      expect(jpegSegmentMarkers(bytes)).not.toContain(APP1);
      expect(containsBytes(bytes, EXIF_HEADER)).toBe(false);
      expect(containsBytes(bytes, GPS_LATITUDE_BYTES)).toBe(false);
      expect(containsBytes(bytes, new TextEncoder().encode(EXIF_DESCRIPTION))).toBe(false);
      expectConsistent(image);
    }
    // Orientation 6 turns the 3000 × 1500 pixels upright: 1500 × 3000, then 2048 on the long side.
    expect({ width: full.width, height: full.height }).toEqual({ width: 1024, height: FULL_LONG_SIDE });
    expect(thumbnail.ref.size).toBeLessThanOrEqual(LIMITS.thumbnailBytes);
    expect(thumbnail.ref.chunks).toBe(1);
    expect(thumbnail.height).toBeGreaterThan(thumbnail.width);
  });

  it('keeps a small photo at its own size', async () => {
    const small = await page.call<string>('encodedImage', 640, 480, 'image/jpeg');

    const { full, thumbnail } = photo(await page.call<Outcome>('reencode', small, 'image/jpeg'));

    expect({ width: full.width, height: full.height }).toEqual({ width: 640, height: 480 });
    expect(Math.max(thumbnail.width, thumbnail.height)).toBeLessThanOrEqual(320);
    expectConsistent(full);
  });

  it('keeps a transparent PNG lossless and transparent, and makes an opaque one a JPEG', async () => {
    const transparent = await page.call<string>('encodedImage', 2500, 800, 'image/png', true);
    const opaque = await page.call<string>('encodedImage', 800, 600, 'image/png', false);

    const clear = photo(await page.call<Outcome>('reencode', transparent, 'image/png'));
    const solid = photo(await page.call<Outcome>('reencode', opaque, 'image/png'));

    expect(clear.full.type).toBe('image/png');
    expect({ width: clear.full.width, height: clear.full.height }).toEqual({ width: FULL_LONG_SIDE, height: 655 });
    expect(['image/webp', 'image/png']).toContain(clear.thumbnail.type);
    expect(clear.thumbnail.ref.size).toBeLessThanOrEqual(LIMITS.thumbnailBytes);
    expect(solid.full.type).toBe('image/jpeg');
    for (const image of [clear.full, clear.thumbnail, solid.full]) expectConsistent(image);
  });

  it('posts the first frame of a GIF as a still', async () => {
    const { full } = photo(await page.call<Outcome>('reencode', RED_PIXEL_GIF, 'image/gif'));

    expect(full.type).toBe('image/jpeg');
    expect({ width: full.width, height: full.height }).toEqual({ width: 1, height: 1 });
  });

  it('refuses a file that is not an image, whatever type it claims, and one over 20 MB, with a sentence', async () => {
    const text = toBase64(new TextEncoder().encode('hello, this is not a photo'));

    expect(await page.call<Outcome>('reencode', text, 'image/jpeg')).toEqual({
      reason: 'That file is not an image Peerwall can post. Choose a JPEG, PNG, GIF or WebP photo.',
    });
    expect(await page.call<Outcome>('reencode', toBase64(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])), 'image/jpeg')).toEqual({
      reason: 'That image could not be read; the file may be damaged. Try another one.',
    });
    expect(await page.call<Outcome>('reencodeOversized')).toEqual({ reason: 'That image is larger than 20 MB. Choose a smaller one.' });
  });
});
