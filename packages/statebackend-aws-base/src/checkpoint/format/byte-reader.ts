/**
 * A bounds-checked cursor over bytes read from a checkpoint or savepoint file. Every read past
 * the end, or varint that does not terminate, calls `fail`, which throws the typed error of the
 * caller (naming the file), so that corrupt input never yields a partial value.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  position: number;
  readonly #end: number;
  readonly #fail: (reason: string) => never;

  constructor(bytes: Uint8Array, fail: (reason: string) => never, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
    this.#end = end;
    this.#fail = fail;
  }

  get remaining(): number {
    return this.#end - this.position;
  }

  get atEnd(): boolean {
    return this.position >= this.#end;
  }

  #need(length: number, what: string): void {
    if (this.position + length > this.#end) {
      this.#fail(
        `${what} at byte ${this.position} needs ${length} bytes but only ${this.#end - this.position} remain`,
      );
    }
  }

  readU8(what = 'byte'): number {
    this.#need(1, what);
    return this.bytes[this.position++] as number;
  }

  readU16(what = 'uint16'): number {
    this.#need(2, what);
    const value = this.#view.getUint16(this.position, true);
    this.position += 2;
    return value;
  }

  readU32(what = 'uint32'): number {
    this.#need(4, what);
    const value = this.#view.getUint32(this.position, true);
    this.position += 4;
    return value;
  }

  readU64(what = 'uint64'): number {
    this.#need(8, what);
    const low = this.#view.getUint32(this.position, true);
    const high = this.#view.getUint32(this.position + 4, true);
    if (high > 0x1f_ffff) this.#fail(`${what} at byte ${this.position} exceeds 2^53`);
    this.position += 8;
    return high * 0x1_0000_0000 + low;
  }

  readVarUint(what = 'varint'): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 8; i++) {
      if (this.position >= this.#end) this.#fail(`${what} is cut off at byte ${this.position}`);
      const byte = this.bytes[this.position++] as number;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 0x80;
    }
    return this.#fail(`${what} at byte ${this.position} is longer than 8 bytes`);
  }

  /** A view (no copy) of the next `length` bytes. */
  readBytes(length: number, what = 'bytes'): Uint8Array {
    this.#need(length, what);
    const bytes = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return bytes;
  }

  /** Moves past a length-prefixed field without making a view of it. */
  skipLengthPrefixed(what = 'bytes'): void {
    const length = this.readVarUint(what);
    this.position += length;
  }

  readLengthPrefixed(what = 'bytes'): Uint8Array {
    const length = this.readVarUint(what);
    return this.readBytes(length, what);
  }
}
