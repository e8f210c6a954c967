// Bundled into the test page (tests/browser/reencode.test.ts): the page's side of each case.
import { toHex } from '@/core/bytes';
import { MAX_PHOTO_INPUT_BYTES, reencodePhoto, type EncodedImage } from '@/platform/photos/reencode';

const toBase64 = (bytes: Uint8Array): string => {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(text);
};
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A busy picture (gradients, shapes, text) so encoders have real work and sizes are realistic. */
function paint(width: number, height: number, transparent: boolean): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const c = canvas.getContext('2d')!;
  const gradient = c.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, transparent ? 'rgba(200, 40, 40, 0.3)' : '#c82828');
  gradient.addColorStop(1, '#2848c8');
  c.fillStyle = gradient;
  c.fillRect(0, 0, width, height);
  for (let i = 0; i < 40; i++) {
    c.fillStyle = `hsl(${i * 9}, 70%, 50%)`;
    c.beginPath();
    c.arc((i * 97) % width, (i * 61) % height, 20 + (i % 7) * 15, 0, Math.PI * 2);
    c.fill();
  }
  c.fillStyle = '#fff';
  c.font = `${Math.round(height / 10)}px sans-serif`;
  c.fillText('Peerwall', width / 10, height / 2);
  return canvas;
}

async function encodedImage(width: number, height: number, type: string, transparent = false): Promise<string> {
  const blob = await paint(width, height, transparent).convertToBlob({ type, quality: 0.92 });
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

async function reencode(base64: string, declaredType: string) {
  const result = await reencodePhoto(new Blob([fromBase64(base64) as Uint8Array<ArrayBuffer>], { type: declaredType }));
  if (!result.ok) return { reason: result.reason };
  return { full: await describe(result.value.full), thumbnail: await describe(result.value.thumbnail) };
}

/** A file one byte over the limit that starts like a JPEG: refused before anything reads it. */
async function reencodeOversized() {
  const bytes = new Uint8Array(MAX_PHOTO_INPUT_BYTES + 1);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  const result = await reencodePhoto(new Blob([bytes], { type: 'image/jpeg' }));
  return result.ok ? { reason: null } : { reason: result.reason };
}

(window as unknown as { testPage: object }).testPage = { encodedImage, reencode, reencodeOversized };
