/**
 * The protobuf wire runtime of the generated codecs: generated/kubemq.ts imports `BinaryWriter` and
 * `BinaryReader` from here instead of `@bufbuild/protobuf/wire` (tools/proto/generate.mjs rewrites
 * the import). It has exactly the methods those codecs call, with @bufbuild/protobuf's behaviour:
 * binary.spec.ts proves byte-for-byte equal output and equal decoding, errors included, with
 * fast-check.
 *
 * Why not @bufbuild/protobuf itself: its only entry with the reader and writer, `/wire`, also loads
 * its reflection runtime (19 modules, about 15 ms of every cold start), and its writer and reader
 * are classes with every protobuf scalar type, which no bundler can trim: 10.9 KB minified in every
 * app, against about 4 KB for this file (the same codecs on it make every app 6.4 KB smaller;
 * docs/benchmarks.md, "Bundle size").
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** Strings up to this many UTF-16 units are written as ASCII first when they are (no encoder call). */
const ASCII_MAX = 32;

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
/** Converts between a 64-bit bigint and its two 32-bit halves (little-endian). */
const scratch64 = /* @__PURE__ */ new DataView(new ArrayBuffer(8));
const utf8Encoder = /* @__PURE__ */ new TextEncoder();

const newBytes = (length: number): Uint8Array => new Uint8Array(length);

/** Bytes of the varint of an unsigned 32-bit value. */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Splits a 64-bit value (two's complement) into unsigned 32-bit halves. */
function halves(value: bigint): [lo: number, hi: number] {
  scratch64.setBigUint64(0, BigInt.asUintN(64, value), true);
  return [scratch64.getUint32(0, true), scratch64.getUint32(4, true)];
}

/**
 * Encodes one message (and its nested messages, through `fork()` / `join()`) into a buffer that
 * grows by doubling and is kept across `finish()` calls, so a reused writer stops allocating once
 * it has seen the largest message.
 */
export class BinaryWriter {
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  /** Where each open `fork()` put its one-byte length placeholder. */
  #forks: number[] = [];

  /** The bytes written since the last finish(), copied out; the writer starts over. */
  finish(): Uint8Array {
    return this.finishInto(newBytes);
  }

  /**
   * finish() into a buffer the caller allocates: `allocate(length)` must return exactly that many
   * writable bytes (grpc-js's serializer passes `Buffer.allocUnsafe`, which takes small buffers
   * from Node's pool instead of allocating and zero-filling a new ArrayBuffer for each message).
   */
  finishInto<B extends Uint8Array>(allocate: (length: number) => B): B {
    const bytes = allocate(this.#pos);
    bytes.set(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
    this.#forks.length = 0;
    return bytes;
  }

  /** Starts a length-delimited part (a nested message, a packed field); `join()` ends it. */
  fork(): this {
    this.#forks.push(this.#pos);
    this.#room(1);
    this.#buf[this.#pos++] = 0;
    return this;
  }

  /** Ends the last `fork()`: writes the part's length in front of it. */
  join(): this {
    const at = this.#forks.pop();
    if (at === undefined) throw new Error('invalid state, fork stack empty');
    const length = this.#pos - at - 1;
    const prefix = varintSize(length);
    if (prefix > 1) {
      this.#room(prefix - 1);
      this.#buf.copyWithin(at + prefix, at + 1, this.#pos);
    }
    this.#pos = at;
    this.uint32(length);
    this.#pos += length;
    return this;
  }

  uint32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`invalid uint32: ${value}`);
    this.#room(5);
    const buf = this.#buf;
    while (value > 0x7f) {
      buf[this.#pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[this.#pos++] = value;
    return this;
  }

  /** A negative value takes ten bytes (sign-extended to 64 bits), as protobuf specifies. */
  int32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new Error(`invalid int32: ${value}`);
    return value >= 0 ? this.uint32(value) : this.#varint64(value >>> 0, 0xffffffff);
  }

  int64(value: bigint): this {
    if (value < INT64_MIN || value > INT64_MAX) throw new Error(`invalid int64: ${value}`);
    return this.#varint64(...halves(value));
  }

  uint64(value: bigint): this {
    if (value < 0n || value > UINT64_MAX) throw new Error(`invalid uint64: ${value}`);
    return this.#varint64(...halves(value));
  }

  bool(value: boolean): this {
    this.#room(1);
    this.#buf[this.#pos++] = value ? 1 : 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint32(value.byteLength);
    this.#room(value.byteLength);
    this.#buf.set(value, this.#pos);
    this.#pos += value.byteLength;
    return this;
  }

  /** UTF-8, lone surrogates as U+FFFD (what TextEncoder does). */
  string(value: string): this {
    const units = value.length;
    if (units <= ASCII_MAX && this.#ascii(value)) return this;
    // At most 3 bytes per UTF-16 unit: reserve the length prefix for that, move the text back if
    // the real length needs a shorter prefix.
    const guess = varintSize(units * 3);
    this.#room(guess + units * 3);
    const start = this.#pos;
    const { written } = utf8Encoder.encodeInto(value, this.#buf.subarray(start + guess));
    const prefix = varintSize(written);
    if (prefix < guess) this.#buf.copyWithin(start + prefix, start + guess, start + guess + written);
    this.uint32(written);
    this.#pos += written;
    return this;
  }

  /** Writes a short all-ASCII string byte by byte; false (nothing written) when it is not ASCII. */
  #ascii(value: string): boolean {
    const units = value.length;
    this.#room(units + 1);
    const buf = this.#buf;
    const start = this.#pos;
    for (let i = 0; i < units; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return false;
      buf[start + 1 + i] = code;
    }
    buf[start] = units;
    this.#pos = start + 1 + units;
    return true;
  }

  /** A varint of an unsigned 64-bit value given as two unsigned 32-bit halves. */
  #varint64(lo: number, hi: number): this {
    this.#room(10);
    const buf = this.#buf;
    while (hi !== 0 || lo > 0x7f) {
      buf[this.#pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.#pos++] = lo;
    return this;
  }

  /**
   * Room for `bytes` more bytes after the position. A grown buffer keeps all of the old one, not
   * only what lies before the position: string() encodes its text ahead of the position first and
   * writes the length in front of it after.
   */
  #room(bytes: number): void {
    const needed = this.#pos + bytes;
    if (needed <= this.#buf.length) return;
    let size = this.#buf.length || 128;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf);
    this.#buf = grown;
  }
}

/**
 * Decodes one message from `buf`. `bytes()` returns views of `buf` (subarrays), not copies.
 * Reading past the end throws `RangeError('premature EOF')`; a varint longer than ten bytes
 * throws `Error('invalid varint')`.
 */
export class BinaryReader {
  readonly buf: Uint8Array;
  /** The next byte to read. The generated codecs read and move it. */
  pos = 0;
  /** Where the input ends. */
  readonly len: number;
  /** The same bytes as a Buffer (a view, no copy), for Node's native UTF-8 decoder. */
  readonly #text: Buffer;
  #lo = 0;
  #hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.len = buf.length;
    this.#text = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  uint32(): number {
    const buf = this.buf;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = buf[this.pos++] as number;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return this.#inBounds(result);
    }
    // The fifth byte holds the top 4 bits; up to five more continuation bytes (a negative int32
    // sign-extended to 64 bits) are read and dropped.
    let byte = buf[this.pos++] as number;
    result |= (byte & 0x0f) << 28;
    for (let read = 5; (byte & 0x80) !== 0 && read < 10; read++) byte = buf[this.pos++] as number;
    if ((byte & 0x80) !== 0) throw new Error('invalid varint');
    return this.#inBounds(result >>> 0);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  int64(): bigint {
    this.#varint64();
    scratch64.setInt32(0, this.#lo, true);
    scratch64.setInt32(4, this.#hi, true);
    return scratch64.getBigInt64(0, true);
  }

  uint64(): bigint {
    this.#varint64();
    scratch64.setInt32(0, this.#lo, true);
    scratch64.setInt32(4, this.#hi, true);
    return scratch64.getBigUint64(0, true);
  }

  bool(): boolean {
    const byte = this.buf[this.pos];
    if (byte !== undefined && byte < 0x80) {
      this.pos++;
      return byte !== 0;
    }
    this.#varint64();
    return this.#lo !== 0 || this.#hi !== 0;
  }

  bytes(): Uint8Array {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    this.#inBounds(0);
    return this.buf.subarray(start, start + length);
  }

  /**
   * UTF-8; invalid sequences become U+FFFD (as TextDecoder without `fatal` does) and a leading
   * U+FEFF is text, not a byte order mark. Buffer's native decoder makes one flat string: building
   * short ASCII strings a character at a time made a string per character, the largest source of
   * garbage when decoding received messages (docs/benchmarks.md, finding 13).
   */
  string(): string {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    this.#inBounds(0);
    return length === 0 ? '' : this.#text.toString('utf8', start, start + length);
  }

  /**
   * Skips a field of an unknown number: varint (0), 64-bit (1), length-delimited (2), a group (3,
   * up to its end tag, nested at most 100 deep) or 32-bit (5). An end-group tag (4) or wire types
   * 6 and 7 throw.
   */
  skip(wireType: number, fieldNo?: number, depth = 100): void {
    switch (wireType) {
      case 0:
        while ((this.buf[this.pos++] as number) & 0x80);
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const length = this.uint32();
        this.pos += length;
        break;
      }
      case 3:
        if (depth <= 0) throw new Error('maximum recursion depth reached');
        for (;;) {
          const [field, type] = this.#tag();
          if (type === 4) {
            if (fieldNo !== undefined && field !== fieldNo) throw new Error('invalid end group tag');
            break;
          }
          this.skip(type, field, depth - 1);
        }
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`cant skip wire type ${wireType}`);
    }
    this.#inBounds(0);
  }

  /** A field tag inside a group: its field number and wire type, checked. */
  #tag(): [field: number, type: number] {
    const start = this.pos;
    const tag = this.uint32();
    const read = this.pos - start;
    if (read > 5 || (read === 5 && (this.buf[this.pos - 1] as number) > 0x0f)) throw new Error('illegal tag: varint overflows uint32');
    const field = tag >>> 3;
    const type = tag & 7;
    if (field <= 0 || type > 5) throw new Error(`illegal tag: field no ${field} wire type ${type}`);
    return [field, type];
  }

  /** Reads a varint of up to 64 bits into #lo / #hi. */
  #varint64(): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = buf[this.pos++] as number;
      lo |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return this.#set64(lo, hi);
    }
    const middle = buf[this.pos++] as number;
    lo |= (middle & 0x0f) << 28;
    hi = (middle & 0x70) >> 4;
    if ((middle & 0x80) === 0) return this.#set64(lo, hi);
    for (let shift = 3; shift <= 31; shift += 7) {
      const byte = buf[this.pos++] as number;
      hi |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return this.#set64(lo, hi);
    }
    throw new Error('invalid varint');
  }

  #set64(lo: number, hi: number): void {
    this.#inBounds(0);
    this.#lo = lo;
    this.#hi = hi;
  }

  /** Throws when a read went past the end; returns `value` otherwise. */
  #inBounds(value: number): number {
    if (this.pos > this.len) throw new RangeError('premature EOF');
    return value;
  }
}
