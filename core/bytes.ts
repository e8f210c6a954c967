/**
 * The canonical binary encoding of docs/protocol.md §2: big-endian fixed-width integers,
 * u32-length-prefixed byte strings and UTF-8 text, u8 0/1 flags for options, u16-counted lists.
 * Every value has exactly one encoding and a decoder must consume its input exactly.
 */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;

/** Thrown only inside decoders; the public `decode*` functions catch it and return a Result. */
export class DecodeError extends Error {}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The first `max` code points of `text` (never splits a surrogate pair). */
export function truncateText(text: string, max: number): string {
  return codePointLength(text) <= max ? text : [...text].slice(0, max).join('');
}

export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.size += chunk.length;
    return this;
  }

  /** Out-of-range values are refused, never wrapped: a wrapped value would sign other bytes than meant. */
  private checkUint(n: number, max: number, what: string): void {
    if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${what} out of range: ${n}`);
  }

  u8(n: number): this {
    this.checkUint(n, 0xff, 'u8');
    return this.push(Uint8Array.of(n));
  }

  u16(n: number): this {
    this.checkUint(n, 0xffff, 'u16');
    return this.push(Uint8Array.of((n >>> 8) & 0xff, n & 0xff));
  }

  u32(n: number): this {
    this.checkUint(n, 0xffffffff, 'u32');
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0);
    return this.push(b);
  }

  u64(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`u64 out of range: ${n}`);
    const b = new Uint8Array(8);
    const view = new DataView(b.buffer);
    view.setUint32(0, Math.floor(n / 2 ** 32));
    view.setUint32(4, n >>> 0);
    return this.push(b);
  }

  fixed(bytes: Uint8Array, length: number): this {
    if (bytes.length !== length) throw new RangeError(`expected ${length} bytes, got ${bytes.length}`);
    return this.push(bytes.slice());
  }

  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).push(bytes.slice());
  }

  /** Appends bytes another writer already produced (an encoded entry), with no length prefix. */
  encoded(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  /** Refuses lone surrogates: UTF-8 cannot carry them, and silently replacing them would change signed text. */
  text(text: string): this {
    if (!text.isWellFormed()) throw new RangeError('text contains an unpaired surrogate');
    return this.bytes(utf8(text));
  }

  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  option<T>(value: T | null, write: (w: this, v: T) => void): this {
    if (value === null) return this.u8(0);
    this.u8(1);
    write(this, value);
    return this;
  }

  list<T>(items: readonly T[], write: (w: this, v: T) => void): this {
    if (items.length > 0xffff) throw new RangeError('list too long');
    this.u16(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export class ByteReader {
  private at = 0;
  private view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number, what: string): void {
    if (this.at + n > this.buf.length) throw new DecodeError(`truncated ${what}`);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.at++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }

  u64(what = 'u64'): number {
    this.need(8, what);
    const hi = this.view.getUint32(this.at);
    const lo = this.view.getUint32(this.at + 4);
    this.at += 8;
    if (hi >= 2 ** 21) throw new DecodeError(`${what} exceeds 2^53-1`);
    return hi * 2 ** 32 + lo;
  }

  fixed(length: number, what = 'bytes'): Uint8Array {
    this.need(length, what);
    const out = this.buf.slice(this.at, this.at + length);
    this.at += length;
    return out;
  }

  bytes(max: number, what = 'bytes'): Uint8Array {
    const length = this.u32(what);
    if (length > max) throw new DecodeError(`${what} longer than ${max} bytes`);
    return this.fixed(length, what);
  }

  /** UTF-8 text of at most `maxBytes` bytes; invalid UTF-8 is rejected, never replaced. */
  text(maxBytes: number, what = 'text'): string {
    const raw = this.bytes(maxBytes, what);
    try {
      return utf8Decoder.decode(raw);
    } catch {
      throw new DecodeError(`${what} is not valid UTF-8`);
    }
  }

  /** UTF-8 text of at most `maxChars` code points; the byte length (4 per code point) is checked before reading. */
  chars(maxChars: number, what = 'text'): string {
    const text = this.text(maxChars * 4, what);
    if (codePointLength(text) > maxChars) throw new DecodeError(`${what} is longer than ${maxChars} characters`);
    return text;
  }

  bool(what = 'flag'): boolean {
    const v = this.u8(what);
    if (v > 1) throw new DecodeError(`${what} must be 0 or 1`);
    return v === 1;
  }

  option<T>(read: (r: this) => T, what = 'option'): T | null {
    return this.bool(what) ? read(this) : null;
  }

  list<T>(max: number, read: (r: this) => T, what = 'list'): T[] {
    const count = this.u16(what);
    if (count > max) throw new DecodeError(`${what} has more than ${max} items`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(read(this));
    return out;
  }

  /** Bytes not read yet. */
  remaining(): number {
    return this.buf.length - this.at;
  }

  end(what = 'message'): void {
    if (this.at !== this.buf.length) throw new DecodeError(`trailing bytes after ${what}`);
  }
}

/** The bytes `write` produces for `value` on a fresh writer. */
export function encodeWith<T>(write: (w: ByteWriter, value: T) => void, value: T): Uint8Array {
  const w = new ByteWriter();
  write(w, value);
  return w.finish();
}

/** Runs a decoder over untrusted bytes; anything it throws becomes a rejection, never an exception. */
export function decodeWith<T>(
  bytes: unknown,
  read: (r: ByteReader) => T,
  what: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `${what} is not binary` };
  try {
    const r = new ByteReader(bytes);
    const value = read(r);
    r.end(what);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: `bad ${what}: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, reason: `bad ${what}: ${e.message}` };
    return { ok: false, reason: `bad ${what}` };
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Lowercase hex of exactly `length` bytes, or null. */
export function fromHex(hex: unknown, length: number): Uint8Array | null {
  if (typeof hex !== 'string' || hex.length !== length * 2 || !/^[0-9a-f]*$/.test(hex)) return null;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
