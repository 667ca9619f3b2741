import { crc32Portable } from '../../../src/checkpoint/format/crc32.js';
import { crc32Combine } from '../../../src/checkpoint/format/crc32-combine.js';
import { crc32 } from '../../../src/spi.js';

describe('crc32', () => {
  const check = new TextEncoder().encode('123456789');

  it('computes the CRC-32 check value zlib, gzip and S3 agree on', () => {
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('continues across chunks, so a file streamed in pieces has the checksum of its whole bytes', () => {
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 131) & 0xff);
    const whole = crc32(data);
    for (const cut of [1, 7, 8, 4095, 9999]) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
      expect(crc32Portable(data.subarray(cut), crc32Portable(data.subarray(0, cut)))).toBe(whole);
    }
  });

  it('combines the checksums of two pieces into the checksum of both, without their bytes', () => {
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 9)) & 0xff);
    const whole = crc32(data);
    for (const cut of [0, 1, 8, 1000, 65_536, 299_999, 300_000]) {
      const a = data.subarray(0, cut);
      const b = data.subarray(cut);
      expect({ cut, crc: crc32Combine(crc32(a), crc32(b), b.length) }).toEqual({ cut, crc: whole });
    }
  });
});
