/** A JPEG's EXIF as cameras write it, built byte by byte so the test knows exactly what must disappear. */

/** What the fixture's EXIF says in words; it must not survive re-encoding. */
export const EXIF_DESCRIPTION = 'Peerwall fixture taken at 48.8567N 2.3508E';
/** The GPS latitude 48° 51′ 24.24″ as EXIF stores it: three little-endian rationals. */
export const GPS_LATITUDE_BYTES = rationals([48, 1], [51, 1], [2424, 100]);
const GPS_LONGITUDE_BYTES = rationals([2, 1], [21, 1], [78, 100]);
/** EXIF orientation 6: the stored pixels must be turned 90° clockwise to stand upright. */
export const ORIENTATION_ROTATE_90 = 6;

function rationals(...values: [number, number][]): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach(([n, d], i) => {
    out.setUint32(i * 8, n, true);
    out.setUint32(i * 8 + 4, d, true);
  });
  return new Uint8Array(out.buffer);
}

type Field = { tag: number; type: number; count: number; inline?: number[]; data?: Uint8Array };

/** A little-endian TIFF with IFD0 (description, orientation, GPS pointer) and a GPS IFD. */
function tiff(): Uint8Array {
  const out = new Uint8Array(512);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 0x2a, 0x00]);
  view.setUint32(4, 8, true);
  let free = 8;
  const writeIfd = (fields: Field[]): number => {
    const at = free;
    free += 2 + fields.length * 12 + 4;
    view.setUint16(at, fields.length, true);
    fields.forEach((f, i) => {
      const e = at + 2 + i * 12;
      view.setUint16(e, f.tag, true);
      view.setUint16(e + 2, f.type, true);
      view.setUint32(e + 4, f.count, true);
      if (f.data) {
        view.setUint32(e + 8, free, true);
        out.set(f.data, free);
        free += f.data.length + (f.data.length % 2);
      } else if (f.type === 3) {
        view.setUint16(e + 8, f.inline![0]!, true);
      } else {
        out.set(f.inline!, e + 8);
      }
    });
    view.setUint32(at + 2 + fields.length * 12, 0, true);
    return at;
  };
  const description = new TextEncoder().encode(`${EXIF_DESCRIPTION}\0`);
  const ifd0 = writeIfd([
    { tag: 0x010e, type: 2, count: description.length, data: description },
    { tag: 0x0112, type: 3, count: 1, inline: [ORIENTATION_ROTATE_90] },
    { tag: 0x8825, type: 4, count: 1, inline: [0, 0, 0, 0] },
  ]);
  // The GPS IFD comes after IFD0 and its data; IFD0's pointer to it is filled in once it is written.
  const gpsAt = writeIfd([
    { tag: 0x0000, type: 1, count: 4, inline: [2, 2, 0, 0] },
    { tag: 0x0001, type: 2, count: 2, inline: [0x4e, 0] },
    { tag: 0x0002, type: 5, count: 3, data: GPS_LATITUDE_BYTES },
    { tag: 0x0003, type: 2, count: 2, inline: [0x45, 0] },
    { tag: 0x0004, type: 5, count: 3, data: GPS_LONGITUDE_BYTES },
  ]);
  view.setUint32(ifd0 + 2 + 2 * 12 + 8, gpsAt, true);
  return out.slice(0, free);
}

/** `jpeg` with an APP1 Exif segment (GPS, description, orientation) spliced in right after its SOI marker. */
export function withGpsExif(jpeg: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const payload = new Uint8Array([...new TextEncoder().encode('Exif\0\0'), ...tiff()]);
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  segment.set(payload, 4);
  return new Uint8Array([...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2)]);
}

/** The markers of a JPEG's segments up to its image data (SOS), e.g. `0xe0` for APP0, `0xe1` for APP1. */
export function jpegSegmentMarkers(jpeg: Uint8Array): number[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const markers: number[] = [];
  for (let at = 2; at + 4 <= jpeg.length; ) {
    if (jpeg[at] !== 0xff) throw new Error(`no segment marker at byte ${at}`);
    const marker = jpeg[at + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
  }
  return markers;
}

/** Whether `needle` occurs anywhere in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle)) !== -1;
}
