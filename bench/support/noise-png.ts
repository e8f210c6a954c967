/**
 * A real PNG of random pixels, stored without compression and padded with a comment to an exact size: the
 * largest file a post may refer to (`LIMITS.mediaBytes`) that is still an image any browser shows. The
 * composer's re-encoder never writes one that large (a 2048 px photo becomes a JPEG of a few MB), so
 * bench/media.ts stages it as the composer stages its files.
 */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes a PNG chunk adds around its data: length, type, CRC. */
const CHUNK_OVERHEAD = 12;
/** A stored deflate block holds at most 65 535 bytes and adds 5 bytes of header. */
const STORED_BLOCK = 65_535;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An RGB PNG `width` pixels wide, as tall as fits in `size` bytes, padded to exactly `size` bytes with a
 * `tEXt` comment. Random pixels: every file differs, so the content-addressed store never holds it already.
 */
export function noisePng(width: number, size: number): Buffer {
  const rowBytes = 1 + width * 3; // filter byte, then RGB
  // Signature, IHDR, IDAT and IEND chunks, the zlib wrapper and a comment's keyword, with room to spare.
  const fixed = SIGNATURE.length + 4 * CHUNK_OVERHEAD + 13 + 6 + 64;
  const height = Math.floor((size - fixed) / (rowBytes * (1 + 5 / STORED_BLOCK)));
  if (height < 1) throw new Error(`a ${width} px wide PNG does not fit in ${size} bytes`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, not interlaced
  const raw = randomBytes(rowBytes * height);
  for (let row = 0; row < height; row++) raw[row * rowBytes] = 0; // filter: none
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 0 }))];
  const end = chunk('IEND', Buffer.alloc(0));
  const used = parts.reduce((n, part) => n + part.length, 0) + end.length;
  const keyword = Buffer.from('Comment\0', 'latin1');
  const padding = size - used - CHUNK_OVERHEAD - keyword.length;
  if (padding < 0) throw new Error(`the ${width}×${height} PNG is ${used} bytes, over ${size}`);
  parts.push(chunk('tEXt', Buffer.concat([keyword, Buffer.alloc(padding, 0x2e)])), end);
  const png = Buffer.concat(parts);
  if (png.length !== size) throw new Error(`the PNG is ${png.length} bytes, not ${size}`);
  return png;
}
