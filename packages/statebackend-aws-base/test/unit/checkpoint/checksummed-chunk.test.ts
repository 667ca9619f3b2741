import { ChecksummedChunk, crc32, knownCrc32 } from '../../../src/spi.js';

describe('ChecksummedChunk', () => {
  const bytes = new TextEncoder().encode('the bytes of one chunk');

  it('is the bytes it was made of, with their CRC-32, without a copy', () => {
    const chunk = new ChecksummedChunk(bytes, crc32(bytes));
    expect(chunk).toBeInstanceOf(Uint8Array);
    expect(chunk.buffer).toBe(bytes.buffer);
    expect(Buffer.from(chunk).equals(Buffer.from(bytes))).toBe(true);
    expect(knownCrc32(chunk)).toBe(crc32(bytes));
  });

  it('gives no checksum for plain bytes, nor for part of a chunk', () => {
    const chunk = new ChecksummedChunk(bytes, crc32(bytes));
    expect(knownCrc32(bytes)).toBeUndefined();
    expect(knownCrc32(chunk.subarray(0, 4))).toBeUndefined();
    expect(knownCrc32(chunk.slice(4))).toBeUndefined();
  });
});
