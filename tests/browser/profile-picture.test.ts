import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@/core/limits';
import { PICTURE_SIDE } from '@/platform/photos/profile-picture';
import { GPS_LATITUDE_BYTES, containsBytes, jpegSegmentMarkers, withGpsExif } from './support/exif-fixture';
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
const APP1 = 0xe1;

function picture(outcome: Outcome): { full: Described; thumbnail: Described } {
  if ('reason' in outcome) throw new Error(`refused: ${outcome.reason}`);
  return outcome;
}

function expectConsistent(image: Described): void {
  const bytes = bytesOf(image);
  expect(image.ref.size).toBe(bytes.length);
  expect(image.ref.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(image.decoded).toEqual({ width: image.width, height: image.height });
}

let server: TestPage;
beforeAll(async () => {
  server = await serveTestPage('tests/browser/support/profile-picture-page.ts');
});
afterAll(() => server?.close());

describe.each<BrowserName>(['chromium', 'firefox'])('re-encoding a profile picture in %s', (browserName) => {
  let page: BrowserPage;
  beforeAll(async () => {
    page = await openBrowserPage(browserName, server.url);
  });
  afterAll(() => page?.close());

  it('keeps the centred square at most 512 px, without EXIF or GPS, and a thumbnail of one chunk', async () => {
    const wide = new Uint8Array(Buffer.from(await page.call<string>('encodedImage', 1600, 900, 'image/jpeg'), 'base64'));
    const fixture = withGpsExif(wide);
    expect(containsBytes(fixture, GPS_LATITUDE_BYTES)).toBe(true);

    const { full, thumbnail } = picture(await page.call<Outcome>('reencodePicture', Buffer.from(fixture).toString('base64'), 'image/jpeg'));

    // The fixture's orientation 6 stands the 1600 × 900 photo upright first; the square is 900 px, drawn at 512.
    expect({ width: full.width, height: full.height }).toEqual({ width: PICTURE_SIDE, height: PICTURE_SIDE });
    expect(thumbnail.width).toBe(thumbnail.height);
    expect(thumbnail.ref.size).toBeLessThanOrEqual(LIMITS.thumbnailBytes);
    for (const image of [full, thumbnail]) {
      expect(image.type).toBe('image/jpeg');
      expect(jpegSegmentMarkers(bytesOf(image))).not.toContain(APP1);
      expect(containsBytes(bytesOf(image), GPS_LATITUDE_BYTES)).toBe(false);
      expectConsistent(image);
    }
  });

  it('never scales a small picture up, and keeps transparency', async () => {
    const small = picture(await page.call<Outcome>('reencodePicture', await page.call<string>('encodedImage', 300, 200, 'image/png', true), 'image/png'));
    expect({ width: small.full.width, height: small.full.height }).toEqual({ width: 200, height: 200 });
    expect(small.full.type).toBe('image/png');
    expectConsistent(small.full);
  });

  it('refuses a file that is not an image with a sentence', async () => {
    const text = Buffer.from('not a picture').toString('base64');
    expect(await page.call<Outcome>('reencodePicture', text, 'image/jpeg')).toEqual({
      reason: 'That file is not an image Peerwall can use. Choose a JPEG, PNG, GIF or WebP photo.',
    });
  });
});
