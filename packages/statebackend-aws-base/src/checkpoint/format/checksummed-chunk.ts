/**
 * A chunk of an encoded file that carries its own CRC-32. The key-group file writer knows each
 * chunk's checksum (from its blocks' and frames'), and storage that must checksum what it uploads
 * (S3's per-part `x-amz-checksum-crc32`) takes it from the chunk instead of reading every byte
 * again. It is a `Uint8Array` over the chunk's memory, so storage that does not care writes it as
 * it writes any bytes. Chunks are never written to after they are handed out, so the checksum
 * stays true.
 */
export class ChecksummedChunk extends Uint8Array<ArrayBufferLike> {
  /** CRC-32 of the chunk's bytes. */
  readonly crc32: number;

  /** `bytes` as a chunk (a view of the same memory, not a copy) whose CRC-32 is `crc32`. */
  constructor(bytes: Uint8Array, crc32: number) {
    super(bytes.buffer, bytes.byteOffset, bytes.length);
    this.crc32 = crc32;
  }

  /** What `subarray`, `slice` or `map` make of a chunk is plain bytes: its checksum is not known. */
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }
}

/** The CRC-32 `chunk` carries (see {@link ChecksummedChunk}); undefined for plain bytes. */
export function knownCrc32(chunk: Uint8Array): number | undefined {
  return chunk instanceof ChecksummedChunk ? chunk.crc32 : undefined;
}
