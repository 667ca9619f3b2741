/**
 * Combining CRC-32s (the reflected polynomial of `crc32.ts`) without the bytes, as zlib's
 * `crc32_combine` does: a key-group file's checksum follows from the checksums of its blocks,
 * which the writer computes anyway, instead of a second pass over every byte.
 */

const POLYNOMIAL = 0xedb88320;
/** x^0 = 1 in the reflected representation. */
const ONE = 0x80000000;

/** a(x) * b(x) modulo the CRC polynomial. */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  let bits = b;
  for (let mask = ONE; mask !== 0; mask >>>= 1) {
    if ((a & mask) !== 0) product ^= bits;
    bits = (bits & 1) !== 0 ? (bits >>> 1) ^ POLYNOMIAL : bits >>> 1;
  }
  return product >>> 0;
}

/** X_POWERS[k] = x^(2^k) modulo the polynomial; the sequence repeats with period 32 here. */
const X_POWERS: readonly number[] = (() => {
  const powers: number[] = [];
  let power = ONE >>> 1; // x^1
  for (let k = 0; k < 32; k++) {
    powers.push(power);
    power = multiplyModP(power, power);
  }
  return powers;
})();

/** x^(8 * bytes) modulo the polynomial: what appending `bytes` zero bytes multiplies a CRC by. */
function shiftOf(bytes: number): number {
  let result = ONE;
  let k = 3; // 2^3 bits per byte
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) result = multiplyModP(X_POWERS[k % 32] as number, result);
  }
  return result;
}

/**
 * The CRC-32 of `a` followed by `b`, from `crcA` = crc32(a), `crcB` = crc32(b) and b's length.
 *
 * @example
 * ```ts
 * crc32Combine(crc32(a), crc32(b), b.length) === crc32(Buffer.concat([a, b])); // true
 * ```
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(shiftOf(lengthB), crcA) ^ crcB) >>> 0;
}
