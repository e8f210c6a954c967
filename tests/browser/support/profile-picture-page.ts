// Bundled into the test page (tests/browser/profile-picture.test.ts): the page's side of each case.
import { toHex } from '@/core/bytes';
import type { EncodedImage } from '@/platform/photos/reencode';
import { reencodeProfilePicture } from '@/platform/photos/profile-picture';

const toBase64 = (bytes: Uint8Array): string => {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
};
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Left half red, right half blue, with circles, so the crop and the encoders have something to show. */
async function encodedImage(width: number, height: number, type: string, transparent = false): Promise<string> {
  const canvas = new OffscreenCanvas(width, height);
  const c = canvas.getContext('2d')!;
  c.fillStyle = transparent ? 'rgba(200, 40, 40, 0.4)' : '#c82828';
  c.fillRect(0, 0, width / 2, height);
  c.fillStyle = '#2848c8';
  c.fillRect(width / 2, 0, width / 2, height);
  for (let i = 0; i < 30; i++) {
    c.fillStyle = `hsl(${i * 12}, 70%, 50%)`;
    c.beginPath();
    c.arc((i * 97) % width, (i * 61) % height, 10 + (i % 5) * 12, 0, Math.PI * 2);
    c.fill();
  }
  const blob = await canvas.convertToBlob({ type, quality: 0.92 });
  return toBase64(new Uint8Array(await blob.arrayBuffer()));
}

async function describe(image: EncodedImage) {
  const decoded = await createImageBitmap(new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: image.type }));
  return {
    bytes: toBase64(image.bytes),
    type: image.type,
    width: image.width,
    height: image.height,
    decoded: { width: decoded.width, height: decoded.height },
    ref: { sha256: toHex(image.ref.sha256), size: image.ref.size, type: image.ref.type, chunks: image.ref.chunks.length },
  };
}

async function reencodePicture(base64: string, declaredType: string) {
  const result = await reencodeProfilePicture(new Blob([fromBase64(base64) as Uint8Array<ArrayBuffer>], { type: declaredType }));
  if (!result.ok) return { reason: result.reason };
  return { full: await describe(result.value.full), thumbnail: await describe(result.value.thumbnail) };
}

(window as unknown as { testPage: object }).testPage = { encodedImage, reencodePicture };
