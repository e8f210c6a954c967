import { LIMITS } from '@/core/limits';
import { type Result, fail, ok } from '@/core/result';
import { browserImageEnv, encodeCanvas, hasTransparency, type ImageEnv } from './canvas-encode';
import { openPickedImage, withRef, type ReencodedPhoto } from './reencode';

/** The side of a profile picture as published, in pixels: it is shown small, beside names. */
export const PICTURE_SIDE = 512;
/** Tried in order until the thumbnail fits one chunk (docs/protocol.md §5.3). */
const THUMBNAIL_SIDES = [128, 96, 64];

/**
 * The centred square of `image`, drawn at `side` px (never scaled up): the picture shows in a circle,
 * so what lies outside the square would never be seen. Only pixels are drawn: EXIF and every other
 * metadata of the file picked are gone.
 */
function drawSquare(env: ImageEnv, image: ImageBitmap, side: number): OffscreenCanvas {
  const source = Math.min(image.width, image.height);
  const out = Math.max(1, Math.min(side, source));
  const canvas = env.makeCanvas(out, out);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw images off screen.');
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, (image.width - source) / 2, (image.height - source) / 2, source, source, 0, 0, out, out);
  return canvas;
}

/**
 * A picked image as a profile picture: its centred square re-encoded at most `PICTURE_SIDE` px (a JPEG,
 * or a PNG when it has transparent pixels), the EXIF orientation applied first, plus a thumbnail that
 * fits one chunk. Refuses what a post's photo refuses, with the same sentences.
 */
export async function reencodeProfilePicture(input: Blob, env: ImageEnv = browserImageEnv()): Promise<Result<ReencodedPhoto>> {
  const opened = await openPickedImage(input, env, 'use');
  if (!opened.ok) return opened;
  const { image, type } = opened.value;
  try {
    const square = drawSquare(env, image, PICTURE_SIDE);
    const transparent = type !== 'image/jpeg' && hasTransparency(square);
    const full = withRef(await encodeCanvas(square, transparent ? 'image/png' : 'image/jpeg', 0.88));
    if (!full.ok) return full;
    for (const side of THUMBNAIL_SIDES) {
      const encoded = await encodeCanvas(drawSquare(env, image, side), transparent ? 'image/webp' : 'image/jpeg', 0.8);
      if (encoded.bytes.length <= LIMITS.thumbnailBytes) {
        const thumbnail = withRef(encoded);
        return thumbnail.ok ? ok({ full: full.value, thumbnail: thumbnail.value }) : thumbnail;
      }
    }
    return fail('Peerwall could not make a small enough preview of that image. Try another one.');
  } finally {
    image.close();
  }
}
