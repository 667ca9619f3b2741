import { StateBackendError } from '../../errors.js';
import type { ChecksummedChunk } from './checksummed-chunk.js';
import type { ChunkPool } from './chunk-pool.js';
import type { ChunkedOutput } from './chunked-output.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';
import type { EncodedFrame } from './frame-codec.js';
import { FRAME_STORED, HEADER_LENGTH, type KeyGroupFrame } from './key-group-file-format.js';

/** The raw bytes of one frame, taken and waiting to be encoded. */
export interface RawFrame {
  /** The bytes taken: the file's header, then the frame's raw bytes (the payload). */
  readonly taken: Uint8Array;
  /** CRC-32 of {@link taken}. */
  readonly takenCrc: number;
  /** The frame's raw bytes, to encode. */
  readonly payload: Uint8Array;
  readonly headerLength: number;
}

/**
 * The frames of a compressed key-group file: raw bytes taken from the output in frames of whole
 * key groups, encoded (possibly elsewhere, meanwhile), and handed out in the order taken, each
 * recorded in the frame table of the index.
 */
export class FrameSequence {
  readonly frames: KeyGroupFrame[] = [];
  readonly #output: ChunkedOutput;
  readonly #pool: ChunkPool | undefined;
  readonly #taken: RawFrame[] = [];
  #takenLength = 0;
  #headerTaken = false;

  constructor(output: ChunkedOutput, pool: ChunkPool | undefined) {
    this.#output = output;
    this.#pool = pool;
  }

  /** Raw bytes of frames taken and not yet handed out. */
  get inFlightLength(): number {
    return this.#takenLength;
  }

  /** The bytes written since the last frame as the next frame; undefined when there are none. */
  take(): RawFrame | undefined {
    const headerLength = this.#headerTaken ? 0 : HEADER_LENGTH;
    if (this.#output.out.pendingLength <= headerLength) return undefined;
    this.#headerTaken = true;
    const { bytes, crc } = this.#output.takeRaw();
    const frame = { taken: bytes, takenCrc: crc, payload: bytes.subarray(headerLength), headerLength };
    this.#taken.push(frame);
    this.#takenLength += frame.payload.length;
    return frame;
  }

  /** Records `frame`, stored as `encoded`, and hands it out; frames complete in the order taken. */
  complete(frame: RawFrame, encoded: EncodedFrame): ChecksummedChunk {
    if (this.#taken[0] !== frame) {
      throw new StateBackendError('A key-group file frame was completed out of order; this is a bug.');
    }
    this.#taken.shift();
    this.#takenLength -= frame.payload.length;
    const { taken, takenCrc, payload, headerLength } = frame;
    const rawLength = payload.length;
    if (encoded.codec === FRAME_STORED) {
      // The bytes taken are the frame, after the header where there is one.
      const crc = headerLength === 0 ? takenCrc : crc32(payload);
      this.frames.push({ codec: FRAME_STORED, rawLength, storedLength: rawLength, crc });
      return this.#output.handOut(taken, takenCrc);
    }
    const crc = crc32(encoded.bytes);
    this.frames.push({ codec: encoded.codec, rawLength, storedLength: encoded.bytes.length, crc });
    // Nothing reads the raw bytes any more: their buffer can be lent again.
    this.#pool?.release([taken]);
    if (headerLength === 0) return this.#output.handOut(encoded.bytes, crc);
    const header = taken.subarray(0, headerLength);
    const chunk = new Uint8Array(headerLength + encoded.bytes.length);
    chunk.set(header);
    chunk.set(encoded.bytes, headerLength);
    return this.#output.handOut(chunk, crc32Combine(crc32(header), crc, encoded.bytes.length));
  }

  /** Throws unless every frame taken was handed out. */
  checkAllComplete(): void {
    if (this.#taken.length > 0) {
      throw new StateBackendError(
        `A key-group file was finished with ${this.#taken.length} frames not handed out; this is a bug.`,
      );
    }
  }
}
