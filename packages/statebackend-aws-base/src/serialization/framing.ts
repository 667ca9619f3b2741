/**
 * The framing shared by the composite serializers: unsigned LEB128 varints for counts and
 * lengths, each nested value written as `varint(length) bytes`. Nested bytes are read back as
 * views of the input, without copying.
 */

const MAX_VARINT_BYTES = 5;

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value >>> 7; rest !== 0; rest >>>= 7) size++;
  return size;
}

function writeVarint(out: Uint8Array, position: number, value: number): number {
  let rest = value >>> 0;
  let at = position;
  while (rest >= 0x80) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[at++] = rest;
  return at;
}

/**
 * Writes `[prefix bytes][varint(count)]` (count only when given) followed by every frame as
 * `varint(length) bytes`, into one array allocated at its final size.
 */
export function writeFrames(
  frames: readonly Uint8Array[],
  options: { count?: number; prefix?: number } = {},
): Uint8Array {
  let size = options.prefix === undefined ? 0 : 1;
  if (options.count !== undefined) size += varintSize(options.count);
  for (const frame of frames) size += varintSize(frame.length) + frame.length;
  const out = new Uint8Array(size);
  let position = 0;
  if (options.prefix !== undefined) out[position++] = options.prefix;
  if (options.count !== undefined) position = writeVarint(out, position, options.count);
  for (const frame of frames) {
    position = writeVarint(out, position, frame.length);
    out.set(frame, position);
    position += frame.length;
  }
  return out;
}

/** Reads what {@link writeFrames} wrote; `corrupt` is called (and must throw) on bad input. */
export class FrameReader {
  readonly #bytes: Uint8Array;
  readonly #corrupt: (reason: string) => never;
  #position = 0;

  constructor(bytes: Uint8Array, corrupt: (reason: string) => never) {
    this.#bytes = bytes;
    this.#corrupt = corrupt;
  }

  /** The next single byte. */
  byte(): number {
    const value = this.#bytes[this.#position];
    if (value === undefined) return this.#corrupt(`truncated at byte ${this.#position}`);
    this.#position++;
    return value;
  }

  /** The next varint. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < MAX_VARINT_BYTES * 7; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return this.#corrupt(`varint longer than ${MAX_VARINT_BYTES} bytes at byte ${this.#position}`);
  }

  /** The next `varint(length) bytes` frame, as a view of the input. */
  frame(): Uint8Array {
    const length = this.varint();
    const end = this.#position + length;
    if (end > this.#bytes.length) {
      return this.#corrupt(`a ${length}-byte value at byte ${this.#position} runs past the end`);
    }
    const frame = this.#bytes.subarray(this.#position, end);
    this.#position = end;
    return frame;
  }

  /** Everything not read yet, as a view of the input. */
  rest(): Uint8Array {
    const rest = this.#bytes.subarray(this.#position);
    this.#position = this.#bytes.length;
    return rest;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.#position !== this.#bytes.length) {
      this.#corrupt(`${this.#bytes.length - this.#position} unexpected bytes after the value`);
    }
  }
}
