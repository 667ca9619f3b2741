import * as zlib from 'node:zlib';

/**
 * CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320: the checksum of zip, gzip and PNG, and
 * S3's `x-amz-checksum-crc32`), the checksum of every checkpoint and savepoint section. Any tool
 * can verify it with its language's zlib.
 *
 * Node's native `zlib.crc32` (Node 22.2+) runs about eight times faster than JavaScript; the
 * slicing-by-8 fallback below keeps the package working on Node 22.0 and 22.1 and pins the
 * definition down in code.
 */
type Crc32 = (bytes: Uint8Array, crc?: number) => number;

const native: Crc32 | undefined = (zlib as { crc32?: Crc32 }).crc32;

const TABLES: readonly Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = tables[0] as Uint32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    first[n] = c >>> 0;
  }
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1] as Uint32Array;
    const current = tables[t] as Uint32Array;
    for (let n = 0; n < 256; n++) {
      const p = previous[n] as number;
      current[n] = (first[p & 0xff] as number) ^ (p >>> 8);
    }
  }
  return tables;
}

/** The JavaScript implementation; exported so tests can check it against the native one. */
export function crc32Portable(bytes: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc >>> 0;
  let i = 0;
  const end = bytes.length;
  const blockEnd = end & ~7;
  while (i < blockEnd) {
    // Indexes below blockEnd are in range; the casts only drop `undefined` from the index type.
    const lo =
      (c ^
        ((bytes[i] as number) |
          ((bytes[i + 1] as number) << 8) |
          ((bytes[i + 2] as number) << 16) |
          ((bytes[i + 3] as number) << 24))) >>>
      0;
    c =
      (t7[lo & 0xff] as number) ^
      (t6[(lo >>> 8) & 0xff] as number) ^
      (t5[(lo >>> 16) & 0xff] as number) ^
      (t4[lo >>> 24] as number) ^
      (t3[bytes[i + 4] as number] as number) ^
      (t2[bytes[i + 5] as number] as number) ^
      (t1[bytes[i + 6] as number] as number) ^
      (t0[bytes[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) {
    c = (t0[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
    i++;
  }
  return ~c >>> 0;
}

/**
 * CRC-32 of `bytes`, continuing from `crc` (the value returned for the bytes before).
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * const whole = crc32(second, crc32(first));
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return native === undefined ? crc32Portable(bytes, crc) : native(bytes, crc) >>> 0;
}
