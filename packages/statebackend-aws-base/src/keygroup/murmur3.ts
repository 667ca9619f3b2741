const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3_x86_32 (Austin Appleby's SMHasher reference) of `bytes`, as an unsigned 32-bit
 * integer.
 *
 * It reads the bytes in place, four at a time in little-endian order, with `Math.imul` for
 * 32-bit multiplication, so it allocates nothing: it runs once per record to find the key group.
 *
 * @example
 * ```ts
 * murmur3x86_32(new TextEncoder().encode('Hello, world!'), 1234); // 0xfaf6cdb3
 * ```
 */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  const blockEnd = length & ~3;
  let h1 = seed | 0;
  let i = 0;

  while (i < blockEnd) {
    // Indexes below blockEnd are in range: the casts only drop `undefined` from the index type.
    let k1 =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24) |
      0;
    i += 4;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }

  const tail = length & 3;
  if (tail !== 0) {
    let k1 = 0;
    if (tail === 3) k1 ^= (bytes[blockEnd + 2] as number) << 16;
    if (tail >= 2) k1 ^= (bytes[blockEnd + 1] as number) << 8;
    k1 ^= bytes[blockEnd] as number;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }

  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/**
 * {@link murmur3x86_32} of the UTF-8 bytes of an ASCII string, read straight from its UTF-16
 * units (for ASCII they are the bytes), so nothing is encoded or allocated; -1 when `value`
 * holds a unit above 0x7f, whose UTF-8 bytes differ from its units.
 */
export function murmur3x86_32Ascii(value: string, seed = 0): number {
  const length = value.length;
  const blockEnd = length & ~3;
  let h1 = seed | 0;
  let seen = 0;
  let i = 0;

  while (i < blockEnd) {
    const b0 = value.charCodeAt(i);
    const b1 = value.charCodeAt(i + 1);
    const b2 = value.charCodeAt(i + 2);
    const b3 = value.charCodeAt(i + 3);
    seen |= b0 | b1 | b2 | b3;
    let k1 = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    i += 4;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }

  const tail = length & 3;
  if (tail !== 0) {
    let k1 = 0;
    if (tail === 3) {
      const b2 = value.charCodeAt(blockEnd + 2);
      seen |= b2;
      k1 ^= b2 << 16;
    }
    if (tail >= 2) {
      const b1 = value.charCodeAt(blockEnd + 1);
      seen |= b1;
      k1 ^= b1 << 8;
    }
    const b0 = value.charCodeAt(blockEnd);
    seen |= b0;
    k1 ^= b0;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  if (seen > 0x7f) return -1;

  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}
