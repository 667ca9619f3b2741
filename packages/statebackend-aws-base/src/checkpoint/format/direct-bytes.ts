/**
 * Direct byte writes into a buffer with room made beforehand (`ByteWriter.reserve`): each returns
 * the position after what it wrote. The encoder of a snapshot writes millions of small entries;
 * one bounds check per entry and the position kept in a local variable cost a fraction of one
 * `ByteWriter` call per field, which loads and stores the writer's buffer and position each time.
 */

/** Most bytes {@link putVarUint} writes (integers up to 2^53 - 1). */
export const MAX_VARUINT_LENGTH = 8;

/** A non-negative integer up to 2^53 - 1 as unsigned LEB128. */
export function putVarUint(buffer: Uint8Array, position: number, value: number): number {
  let p = position;
  if (value < 0x80) {
    buffer[p++] = value;
    return p;
  }
  let v = value;
  while (v >= 0x80) {
    buffer[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buffer[p++] = v;
  return p;
}

/** Length as varuint, then the bytes an id stands for: one character (0-255) per byte. */
export function putLatin1LengthPrefixed(buffer: Uint8Array, position: number, id: string): number {
  const length = id.length;
  let p = putVarUint(buffer, position, length);
  for (let i = 0; i < length; i++) buffer[p++] = id.charCodeAt(i);
  return p;
}

/** Length as varuint, then the bytes. */
export function putLengthPrefixed(buffer: Uint8Array, position: number, bytes: Uint8Array): number {
  const length = bytes.length;
  let p = putVarUint(buffer, position, length);
  if (length < 16) {
    // A short loop beats `set()` for the small keys and values that dominate snapshots.
    for (let i = 0; i < length; i++) buffer[p++] = bytes[i] as number;
    return p;
  }
  buffer.set(bytes, p);
  return p + length;
}

/** A non-negative integer up to 2^53 - 1 as an unsigned 64-bit little-endian integer. */
export function putU64(buffer: Uint8Array, position: number, value: number): number {
  let low = value % 0x1_0000_0000;
  let high = Math.floor(value / 0x1_0000_0000);
  let p = position;
  for (let i = 0; i < 4; i++, low = Math.floor(low / 256)) buffer[p++] = low & 0xff;
  for (let i = 0; i < 4; i++, high = Math.floor(high / 256)) buffer[p++] = high & 0xff;
  return p;
}

/**
 * A plain `Uint8Array` of `length` bytes, left uninitialized (zeroing a megabyte per chunk showed in
 * profiles of large snapshots). Plain, not a `Buffer`: chunk buffers, fresh or reused, are then of
 * one class, and the encoder's writes into them stay monomorphic.
 */
export function uninitialized(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}
