import { LIMITS } from '@/core/limits';
import { mediaRefFor, type MediaRef, type MediaType } from '@/core/media';
import { type Result, fail, ok } from '@/core/result';
import { browserImageEnv, drawScaled, encodeCanvas, fitWithin, hasTransparency, type Encoded, type ImageEnv } from './canvas-encode';
import { sniffImageType } from './image-type';

/** The largest file a person may pick; what is posted is re-encoded and far smaller. */
export const MAX_PHOTO_INPUT_BYTES = 20 * 1024 * 1024;
/** The longer side of a posted photo, in pixels. */
export const FULL_LONG_SIDE = 2048;
const FULL_QUALITY = 0.88;
/** Tried in order until the thumbnail fits `LIMITS.thumbnailBytes` (one chunk, docs/protocol.md §5.3). */
const THUMBNAIL_STEPS = [320, 256, 192, 128, 96, 64].flatMap((side) => [0.8, 0.6].map((quality) => ({ side, quality })));

export type EncodedImage = Encoded & { ref: MediaRef };
export type ReencodedPhoto = { full: EncodedImage; thumbnail: EncodedImage };

/** An encoded image with its `MediaRef`. */
export const withRef = (image: Encoded): Result<EncodedImage> => {
  const ref = mediaRefFor(image.bytes, image.type);
  return ref.ok ? ok({ ...image, ref: ref.value }) : ref;
};

/**
 * The photo as it is posted: its pixels redrawn on a canvas, which drops EXIF (GPS included), ICC and
 * every other metadata segment of the file picked. The EXIF orientation is applied first, so the photo
 * stands as it was taken. An image with no transparent pixel becomes a JPEG; one with transparency stays
 * lossless as a PNG. An animated GIF posts its first frame as a still. Also returns a thumbnail that fits
 * one chunk, and both files' `MediaRef`s.
 */
export async function reencodePhoto(input: Blob, env: ImageEnv = browserImageEnv()): Promise<Result<ReencodedPhoto>> {
  const opened = await openPickedImage(input, env, 'post');
  if (!opened.ok) return opened;
  const { image, type } = opened.value;
  try {
    const full = await encodeFull(env, image, type);
    if (!full.ok) return full;
    const thumbnail = await encodeThumbnail(env, image, full.value.type !== 'image/jpeg');
    if (!thumbnail.ok) return thumbnail;
    return ok({ full: full.value, thumbnail: thumbnail.value });
  } finally {
    image.close();
  }
}

/**
 * A picked file as an image to redraw, its EXIF orientation applied, or the sentence that refuses it: too
 * large, not an image Peerwall can `use` for that purpose, or unreadable. The caller closes the image.
 */
export async function openPickedImage(input: Blob, env: ImageEnv, use: 'post' | 'use'): Promise<Result<{ image: ImageBitmap; type: MediaType }>> {
  if (input.size > MAX_PHOTO_INPUT_BYTES) return fail('That image is larger than 20 MB. Choose a smaller one.');
  const type = sniffImageType(new Uint8Array(await input.slice(0, 16).arrayBuffer()));
  if (!type) return fail(`That file is not an image Peerwall can ${use}. Choose a JPEG, PNG, GIF or WebP photo.`);
  try {
    return ok({ image: await env.createImageBitmap(input, { imageOrientation: 'from-image' }), type });
  } catch {
    return fail('That image could not be read; the file may be damaged. Try another one.');
  }
}

async function encodeFull(env: ImageEnv, image: ImageBitmap, source: MediaType): Promise<Result<EncodedImage>> {
  let longSide = FULL_LONG_SIDE;
  for (;;) {
    const size = fitWithin(image.width, image.height, longSide);
    const canvas = drawScaled(env, image, size.width, size.height);
    // A JPEG has no alpha channel; nothing else is worth reading every pixel for.
    const transparent = source !== 'image/jpeg' && hasTransparency(canvas);
    const encoded = await encodeCanvas(canvas, transparent ? 'image/png' : 'image/jpeg', FULL_QUALITY);
    // A lossless 2048 px PNG of noise can pass the protocol's file limit: shrink it until it fits.
    if (encoded.bytes.length <= LIMITS.mediaBytes || longSide <= 256) return withRef(encoded);
    longSide = Math.round(longSide * 0.75);
  }
}

async function encodeThumbnail(env: ImageEnv, image: ImageBitmap, transparent: boolean): Promise<Result<EncodedImage>> {
  for (const { side, quality } of THUMBNAIL_STEPS) {
    const size = fitWithin(image.width, image.height, side);
    // WebP keeps transparency in far fewer bytes than PNG; a browser that cannot write it writes a PNG.
    const encoded = await encodeCanvas(drawScaled(env, image, size.width, size.height), transparent ? 'image/webp' : 'image/jpeg', quality);
    if (encoded.bytes.length <= LIMITS.thumbnailBytes) return withRef(encoded);
  }
  return fail('Peerwall could not make a small enough preview of that image. Try another one.');
}
