import { ByteWriter } from './byte-writer.js';
import { ChecksummedChunk } from './checksummed-chunk.js';
import type { ChunkPool } from './chunk-pool.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';

/**
 * From this block length up, a chunk's checksum takes the block's by combining the two rather
 * than running over the block's bytes again; below it the second pass costs less than combining.
 */
const COMBINE_FROM = 16 * 1024;

/** Bytes taken from a {@link ChunkedOutput}, with their CRC-32. */
export interface TakenBytes {
  readonly bytes: Uint8Array;
  readonly crc: number;
}

/**
 * The bytes of a key-group file as it is encoded, taken out chunk by chunk, with the checksum of
 * each chunk and of the whole file kept along the way: computed from the blocks' checksums where
 * they are large enough to combine, so no byte is read twice for it.
 *
 * Positions are those of the raw stream ({@link ByteWriter.totalLength}); what is handed out
 * ({@link handOut}) is the stored file, which differs from the raw stream in compressed files.
 */
export class ChunkedOutput {
  readonly out: ByteWriter;
  /** CRC-32 of the bytes written since the last take, up to the raw position {@link #crcThrough}. */
  #pendingCrc = 0;
  #crcThrough = 0;
  #fileCrc = 0;
  #storedLength = 0;

  constructor(capacity: number, pool: ChunkPool | undefined) {
    this.out = new ByteWriter(capacity, pool);
  }

  /** Bytes of the file handed out so far. */
  get storedLength(): number {
    return this.#storedLength;
  }

  /** CRC-32 of the bytes handed out so far. */
  get fileCrc(): number {
    return this.#fileCrc;
  }

  /** A block of `length` bytes with checksum `crc` ends at the current position. */
  blockWritten(crc: number, length: number): void {
    if (length < COMBINE_FROM) return;
    this.#extendPendingCrc(this.out.totalLength - length);
    this.#pendingCrc = crc32Combine(this.#pendingCrc, crc, length);
    this.#crcThrough = this.out.totalLength;
  }

  /** Takes the bytes written since the last take, with their checksum, without handing them out. */
  takeRaw(): TakenBytes {
    this.#extendPendingCrc(this.out.totalLength);
    const taken = { bytes: this.out.takeChunk(), crc: this.#pendingCrc };
    this.#pendingCrc = 0;
    this.#crcThrough = this.out.totalLength;
    return taken;
  }

  /** Hands out the bytes written since the last take, as they are. */
  take(): ChecksummedChunk {
    const { bytes, crc } = this.takeRaw();
    return this.handOut(bytes, crc);
  }

  /** Hands `chunk` out as the next bytes of the stored file, carrying `crc`, its checksum. */
  handOut(chunk: Uint8Array, crc: number): ChecksummedChunk {
    this.#fileCrc = crc32Combine(this.#fileCrc, crc, chunk.length);
    this.#storedLength += chunk.length;
    return new ChecksummedChunk(chunk, crc);
  }

  #extendPendingCrc(end: number): void {
    if (end <= this.#crcThrough) return;
    const pendingStart = this.out.totalLength - this.out.pendingLength;
    const from = this.#crcThrough - pendingStart;
    this.#pendingCrc = crc32(this.out.peek(from).subarray(0, end - this.#crcThrough), this.#pendingCrc);
    this.#crcThrough = end;
  }
}
