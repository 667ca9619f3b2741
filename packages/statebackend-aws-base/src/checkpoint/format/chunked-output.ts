import { ByteWriter } from './byte-writer.js';
import { ChecksummedChunk } from './checksummed-chunk.js';
import type { ChunkPool } from './chunk-pool.js';
import { crc32Combine } from './crc32-combine.js';

/**
 * The bytes of a key-group file as it is encoded, taken out chunk by chunk, with the checksum of
 * the whole file kept from the checksums of the chunks handed out (each sealed, see
 * `chunk-sealing.ts`), so no byte is read twice for it.
 *
 * Positions are those of the raw stream ({@link ByteWriter.totalLength}); what is handed out
 * ({@link handOut}) is the stored file, which differs from the raw stream in compressed files.
 */
export class ChunkedOutput {
  readonly out: ByteWriter;
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

  /** Raw-stream position of the first byte not taken yet. */
  get takenLength(): number {
    return this.out.totalLength - this.out.pendingLength;
  }

  /** Takes the bytes written since the last take, without handing them out. */
  takeRaw(): Uint8Array {
    return this.out.takeChunk();
  }

  /** Hands `chunk` out as the next bytes of the stored file, carrying `crc`, its checksum. */
  handOut(chunk: Uint8Array, crc: number): ChecksummedChunk {
    this.#fileCrc = crc32Combine(this.#fileCrc, crc, chunk.length);
    this.#storedLength += chunk.length;
    return new ChecksummedChunk(chunk, crc);
  }
}
