import * as zlib from 'node:zlib';
import { CompressionUnavailableError } from '../../errors.js';
import { FRAME_STORED, FRAME_ZSTD } from './key-group-file-format.js';

type Zstd = {
  zstdCompressSync?: (bytes: Uint8Array, options?: object) => Buffer;
  zstdDecompressSync?: (bytes: Uint8Array, options?: object) => Buffer;
};
const zstd = zlib as Zstd;
/** zstd's fastest regular level: about 300 MB/s on typical state, a sixth of its size or less. */
const ZSTD_LEVEL = 1;
/** A frame is kept compressed only when that saves at least an eighth of it. */
const WORTH_IT = 1 / 8;
/** After frames that would not compress, the writer stores up to 2^this frames without trying. */
const MAX_SKIP_EXPONENT = 5;
/** Frames this short are stored: a zstd frame's own overhead would eat what it saves. */
const MIN_COMPRESSED = 256;
/** After a frame that did not compress, the next try compresses this much of a frame first. */
const SAMPLE = 64 * 1024;

/** Fails early when zstd is missing, before anything is written or read. */
export function requireZstd(what: string): void {
  if (zstd.zstdCompressSync === undefined || zstd.zstdDecompressSync === undefined) {
    throw new CompressionUnavailableError(what);
  }
}

/** A frame's stored bytes and codec. */
export interface EncodedFrame {
  readonly codec: number;
  readonly bytes: Uint8Array;
}

/**
 * Compresses the frames of one file. Data that does not compress (encrypted or already
 * compressed values) is detected and stored as it is, cheaply: after a frame that did not shrink
 * by an eighth, the next 1, 2, 4, … 32 frames are stored without trying, and a try compresses
 * the first 64 KiB of a frame before the whole. So incompressible state costs a trial of a few
 * hundred KiB per file, not a compression of every byte; state that compresses again is
 * compressed again from the next try on.
 */
export class FrameCompressor {
  #skip = 0;
  #failures = 0;

  constructor() {
    requireZstd('write a compressed checkpoint file');
  }

  encode(raw: Uint8Array): EncodedFrame {
    if (raw.length < MIN_COMPRESSED) return { codec: FRAME_STORED, bytes: raw };
    if (this.#skip > 0) {
      this.#skip--;
      return { codec: FRAME_STORED, bytes: raw };
    }
    const sampled = this.#failures > 0 && raw.length > 2 * SAMPLE;
    const compressed = compress(sampled ? raw.subarray(0, SAMPLE) : raw);
    if (sampled ? worthIt(compressed.length, SAMPLE) : worthIt(compressed.length, raw.length)) {
      this.#failures = 0;
      return { codec: FRAME_ZSTD, bytes: sampled ? compress(raw) : compressed };
    }
    this.#skip = 2 ** Math.min(this.#failures, MAX_SKIP_EXPONENT) - 1;
    this.#failures++;
    return { codec: FRAME_STORED, bytes: raw };
  }
}

function compress(raw: Uint8Array): Buffer {
  return (zstd.zstdCompressSync as NonNullable<Zstd['zstdCompressSync']>)(raw, {
    params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
  });
}

function worthIt(compressedLength: number, rawLength: number): boolean {
  return compressedLength <= rawLength - rawLength * WORTH_IT;
}

/**
 * The raw bytes of a frame, or a reason why they cannot be had (an unknown codec, bytes zstd
 * rejects, or a length other than recorded). The stored bytes were checked against the frame's
 * checksum before.
 */
export function decodeFrame(codec: number, stored: Uint8Array, rawLength: number): Uint8Array | string {
  if (codec === FRAME_STORED) {
    return stored.length === rawLength ? stored : `it stores ${stored.length} bytes for ${rawLength}`;
  }
  if (codec !== FRAME_ZSTD) return `it has the unknown codec ${codec}`;
  requireZstd('read a compressed checkpoint file');
  let raw: Buffer;
  try {
    raw = (zstd.zstdDecompressSync as NonNullable<Zstd['zstdDecompressSync']>)(stored, {
      maxOutputLength: Math.max(rawLength, 1),
    });
  } catch (error) {
    return `zstd cannot decompress it (${error instanceof Error ? error.message : String(error)})`;
  }
  return raw.length === rawLength ? raw : `it decompresses to ${raw.length} bytes, not ${rawLength}`;
}
