import { ByteReader, ByteWriter, DecodeError } from './bytes';

/**
 * The stored values a full backup carries (docs/protocol.md §4.6): IndexedDB records as they are, so a
 * restore gives back the same records, bytes included. A small tagged encoding of the structured-clone
 * values Peerwall stores — no maps, dates or cycles, which its records never hold.
 */
export type StoredValue =
  | null
  | undefined
  | boolean
  | number
  | string
  | Uint8Array
  | StoredValue[]
  | { [key: string]: StoredValue };

const TAG = { null: 0, undefined: 1, false: 2, true: 3, number: 4, text: 5, bytes: 6, list: 7, object: 8 } as const;

/** Deep enough for every record shape (an entry's header inside a record is 3 levels). */
const MAX_DEPTH = 16;
/** No record holds more: a media chunk is 64 KiB, an entry body 64 KiB; room for growth. */
export const MAX_VALUE_BYTES = 4 * 1024 * 1024;

function writeNumber(w: ByteWriter, n: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, n);
  w.u8(TAG.number).fixed(b, 8);
}

/** Throws a RangeError for a value outside `StoredValue` (a bug in what was read from storage). */
export function writeStoredValue(w: ByteWriter, value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new RangeError('stored value nested too deeply');
  if (value === null) w.u8(TAG.null);
  else if (value === undefined) w.u8(TAG.undefined);
  else if (typeof value === 'boolean') w.u8(value ? TAG.true : TAG.false);
  else if (typeof value === 'number') writeNumber(w, value);
  else if (typeof value === 'string') w.u8(TAG.text).text(value);
  else if (value instanceof Uint8Array) w.u8(TAG.bytes).bytes(value);
  else if (Array.isArray(value)) {
    w.u8(TAG.list).u32(value.length);
    for (const item of value) writeStoredValue(w, item, depth + 1);
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const fields = Object.entries(value);
    w.u8(TAG.object).u32(fields.length);
    for (const [key, field] of fields) {
      w.text(key);
      writeStoredValue(w, field, depth + 1);
    }
  } else throw new RangeError(`a stored value cannot be a ${typeof value}`);
}

/** Reads one value; counts are bounded by the bytes left, so a hostile count cannot allocate. */
export function readStoredValue(r: ByteReader, depth = 0): StoredValue {
  if (depth > MAX_DEPTH) throw new DecodeError('stored value nested too deeply');
  const tag = r.u8('value tag');
  switch (tag) {
    case TAG.null:
      return null;
    case TAG.undefined:
      return undefined;
    case TAG.false:
      return false;
    case TAG.true:
      return true;
    case TAG.number: {
      const b = r.fixed(8, 'number');
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0);
    }
    case TAG.text:
      return r.text(MAX_VALUE_BYTES, 'text');
    case TAG.bytes:
      return r.bytes(MAX_VALUE_BYTES, 'bytes');
    case TAG.list: {
      const count = r.u32('list length');
      if (count > r.remaining()) throw new DecodeError('list longer than the bytes left');
      const out: StoredValue[] = [];
      for (let i = 0; i < count; i++) out.push(readStoredValue(r, depth + 1));
      return out;
    }
    case TAG.object: {
      const count = r.u32('field count');
      if (count > r.remaining()) throw new DecodeError('object larger than the bytes left');
      const out: { [key: string]: StoredValue } = {};
      for (let i = 0; i < count; i++) {
        const key = r.text(256, 'field name');
        if (key === '__proto__' || Object.hasOwn(out, key)) throw new DecodeError(`bad field name "${key}"`);
        out[key] = readStoredValue(r, depth + 1);
      }
      return out;
    }
    default:
      throw new DecodeError(`unknown value tag ${tag}`);
  }
}
