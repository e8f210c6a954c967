import { MEDIA_TYPES, type MediaType } from '@/core/media';

/** What re-encoding needs of the browser, passed in so a test or a worker can hand its own. */
export interface ImageEnv {
  createImageBitmap(image: Blob, options?: ImageBitmapOptions): Promise<ImageBitmap>;
  makeCanvas(width: number, height: number): OffscreenCanvas;
}

export const browserImageEnv = (): ImageEnv => ({
  createImageBitmap: (image, options) => globalThis.createImageBitmap(image, options),
  makeCanvas: (width, height) => new OffscreenCanvas(width, height),
});

/** `width` × `height` scaled down (never up) so its longer side is at most `longSide`. */
export function fitWithin(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Draws the decoded image at `width` × `height` on a fresh canvas; nothing of the source file but its pixels survives. */
export function drawScaled(env: ImageEnv, image: ImageBitmap, width: number, height: number): OffscreenCanvas {
  const canvas = env.makeCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw images off screen.');
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, 0, 0, width, height);
  return canvas;
}

/** True when any pixel is not fully opaque: such an image keeps its transparency (PNG, WebP) rather than becoming a JPEG. */
export function hasTransparency(canvas: OffscreenCanvas): boolean {
  const context = canvas.getContext('2d');
  if (!context) return false;
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  return false;
}

export type Encoded = { bytes: Uint8Array; type: MediaType; width: number; height: number };

/**
 * The canvas encoded as `type`. A browser that cannot write `type` hands back a PNG instead (HTML's
 * `convertToBlob`): the result says which it wrote.
 */
export async function encodeCanvas(canvas: OffscreenCanvas, type: MediaType, quality?: number): Promise<Encoded> {
  const blob = await canvas.convertToBlob({ type, quality });
  const written = (MEDIA_TYPES as readonly string[]).includes(blob.type) ? (blob.type as MediaType) : 'image/png';
  return { bytes: new Uint8Array(await blob.arrayBuffer()), type: written, width: canvas.width, height: canvas.height };
}
