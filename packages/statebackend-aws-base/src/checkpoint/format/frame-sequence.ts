import { StateBackendError } from '../../errors.js';
import type { ChecksummedChunk } from './checksummed-chunk.js';
import type { ChunkPool } from './chunk-pool.js';
import { chunkSealer } from './chunk-sealer.js';
import type { Sealed, SealRequest } from './chunk-sealing.js';
import type { ChunkedOutput } from './chunked-output.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';
import { FRAME_STORED, HEADER_LENGTH, type KeyGroupFrame } from './key-group-file-format.js';

/** A chunk taken from a key-group file, being sealed (see `chunk-sealing.ts`). */
export interface TakenChunk {
  readonly request: SealRequest;
  /** Index of its first block among the file's blocks. */
  readonly firstBlock: number;
}

/** A block of the file whose checksum comes with the seal of the chunk holding it. */
export interface PendingBlock {
  readonly keyGroup: number;
  readonly offset: number;
  readonly length: number;
  readonly entries: number;
  crc: number;
}

/**
 * The chunks of a key-group file on their way out: raw bytes taken from the output between key
 * groups, sealed (checksummed, and for a compressed file stored as a frame, as they are or
 * compressed), possibly on another thread meanwhile, and handed out in the order taken. A
 * compressed file's chunks are its frames, recorded in the frame table of the index.
 */
export class FrameSequence {
  readonly frames: KeyGroupFrame[] = [];
  readonly #output: ChunkedOutput;
  readonly #pool: ChunkPool | undefined;
  readonly #compressed: boolean;
  readonly #file: number;
  readonly #taken: TakenChunk[] = [];
  #takenLength = 0;
  #headerTaken = false;

  constructor(output: ChunkedOutput, pool: ChunkPool | undefined, compressed: boolean, file: number) {
    this.#output = output;
    this.#pool = pool;
    this.#compressed = compressed;
    this.#file = file;
  }

  /** Raw bytes of chunks taken and not yet handed out. */
  get inFlightLength(): number {
    return this.#takenLength;
  }

  /**
   * The bytes written since the last take as the next chunk, holding `blocks[firstBlock..]`;
   * undefined when there are none (beyond the header, in a compressed file).
   */
  take(blocks: readonly PendingBlock[], firstBlock: number, last: boolean): TakenChunk | undefined {
    const headerLength = this.#headerTaken || !this.#compressed ? 0 : HEADER_LENGTH;
    if (this.#output.out.pendingLength <= headerLength) return undefined;
    this.#headerTaken = true;
    const start = this.#output.takenLength;
    const ranges: number[] = [];
    for (let i = firstBlock; i < blocks.length; i++) {
      const block = blocks[i] as PendingBlock;
      ranges.push(block.offset - start, block.length);
    }
    const bytes = this.#output.takeRaw();
    const taken = {
      request: { file: this.#file, bytes, headerLength, blocks: ranges, compress: this.#compressed, last },
      firstBlock,
    };
    this.#taken.push(taken);
    this.#takenLength += bytes.length - headerLength;
    return taken;
  }

  /**
   * Seals the bytes written since the last take where they are, on this thread, without taking
   * them (an uncompressed file's last blocks, before its index): records the checksums of
   * `blocks[firstBlock..]` and returns the CRC-32 of those bytes.
   */
  sealInPlace(blocks: PendingBlock[], firstBlock: number): number {
    const start = this.#output.takenLength;
    const ranges: number[] = [];
    for (let i = firstBlock; i < blocks.length; i++) {
      const block = blocks[i] as PendingBlock;
      ranges.push(block.offset - start, block.length);
    }
    const bytes = this.#output.out.peek(0);
    const sealed = chunkSealer.sealHere({
      file: this.#file,
      bytes,
      headerLength: 0,
      blocks: ranges,
      compress: false,
      last: true,
    });
    sealed.blockCrcs.forEach((crc, i) => {
      (blocks[firstBlock + i] as PendingBlock).crc = crc;
    });
    return sealed.crc;
  }

  /**
   * Hands out `taken`, sealed as `sealed`, after recording its blocks' checksums (and its frame);
   * chunks complete in the order taken.
   */
  complete(taken: TakenChunk, sealed: Sealed, blocks: PendingBlock[]): ChecksummedChunk {
    if (this.#taken[0] !== taken) {
      throw new StateBackendError('A key-group file chunk was completed out of order; this is a bug.');
    }
    this.#taken.shift();
    const { headerLength } = taken.request;
    const bytes = sealed.bytes;
    this.#takenLength -= bytes.length - headerLength;
    sealed.blockCrcs.forEach((crc, i) => {
      (blocks[taken.firstBlock + i] as PendingBlock).crc = crc;
    });
    if (!this.#compressed) return this.#output.handOut(bytes, sealed.crc);
    const rawLength = bytes.length - headerLength;
    const compressed = sealed.compressed;
    if (sealed.codec === FRAME_STORED || compressed === undefined) {
      this.frames.push({ codec: FRAME_STORED, rawLength, storedLength: rawLength, crc: sealed.payloadCrc });
      return this.#output.handOut(bytes, sealed.crc);
    }
    this.frames.push({
      codec: sealed.codec,
      rawLength,
      storedLength: compressed.length,
      crc: sealed.compressedCrc,
    });
    if (headerLength === 0) {
      // Nothing reads the raw bytes any more: their buffer can be lent again.
      this.#pool?.release([bytes]);
      return this.#output.handOut(compressed, sealed.compressedCrc);
    }
    const header = bytes.slice(0, headerLength);
    this.#pool?.release([bytes]);
    const chunk = new Uint8Array(headerLength + compressed.length);
    chunk.set(header);
    chunk.set(compressed, headerLength);
    return this.#output.handOut(chunk, crc32Combine(crc32(header), sealed.compressedCrc, compressed.length));
  }

  /** Throws unless every chunk taken was handed out. */
  checkAllComplete(): void {
    if (this.#taken.length > 0) {
      throw new StateBackendError(
        `A key-group file was finished with ${this.#taken.length} chunks not handed out; this is a bug.`,
      );
    }
  }
}
