import * as zlib from 'node:zlib';
import { CompressionUnavailableError } from '../../errors.js';
import { FRAME_STORED, FRAME_ZSTD } from './key-group-file-format.js';

type Callback = (error: Error | null, result: Buffer) => void;
type Zstd = {
  zstdCompressSync?: (bytes: Uint8Array, options: object) => Buffer;
  zstdCompress?: (bytes: Uint8Array, options: object, callback: Callback) => void;
  zstdDecompress?: (bytes: Uint8Array, options: object, callback: Callback) => void;
};
const zstd = zlib as Zstd;
/**
 * zstd's fastest regular level: about 300 MB/s on typical state, a sixth of its size or less.
 * Output in pieces of 256 KiB rather than zlib's 16 KiB: fewer callbacks on the main thread.
 */
const ZSTD_OPTIONS = { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 }, chunkSize: 256 * 1024 };
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
  if (
    zstd.zstdCompressSync === undefined ||
    zstd.zstdCompress === undefined ||
    zstd.zstdDecompress === undefined
  ) {
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
 * compressed values) is detected and stored as it is, cheaply: the first frame, and each try
 * after a frame that did not shrink by an eighth, compresses the first 64 KiB of the frame before
 * the whole; after a failed try the next 1, 2, 4, … 32 frames are stored without trying. So
 * incompressible state costs trials of a few hundred KiB per file, not a compression of every
 * byte; state that compresses again is compressed again from the next try on.
 */
export class FrameCompressor {
  #skip = 0;
  #failures = 0;
  /** Whether a frame compressed lately: the next is then compressed whole at once. */
  #compressing = false;

  constructor() {
    requireZstd('write a compressed checkpoint file');
  }

  /** Encodes `raw` on this thread. */
  encode(raw: Uint8Array): EncodedFrame {
    const plan = this.#plan(raw);
    return plan === 'store' ? stored(raw) : this.#judged(plan, raw, compressSync(raw));
  }

  /**
   * Encodes `raw` on Node's thread pool while this thread goes on; a sample is tried here (a
   * fraction of a millisecond), so that frames encoded at the same time are planned with what it
   * said.
   */
  async encodeAsync(raw: Uint8Array): Promise<EncodedFrame> {
    const plan = this.#plan(raw);
    return plan === 'store' ? stored(raw) : this.#judged(plan, raw, await compressAsync(raw));
  }

  /**
   * Whether to store `raw` untried, or to compress it after a sample compressed well (`sampled`),
   * or to compress it and judge the result (`whole`). The sample is tried here, on this thread.
   */
  #plan(raw: Uint8Array): 'store' | 'sampled' | 'whole' {
    if (raw.length < MIN_COMPRESSED) return 'store';
    if (this.#skip > 0) {
      this.#skip--;
      return 'store';
    }
    if (this.#compressing || raw.length <= 2 * SAMPLE) return 'whole';
    return this.#judge(compressSync(raw.subarray(0, SAMPLE)).length, SAMPLE) ? 'sampled' : 'store';
  }

  /** The frame `raw` compressed to `compressed` makes: kept when sampled, or when worth it. */
  #judged(plan: 'sampled' | 'whole', raw: Uint8Array, compressed: Buffer): EncodedFrame {
    return plan === 'sampled' || this.#judge(compressed.length, raw.length)
      ? zstdFrame(compressed)
      : stored(raw);
  }

  /** Whether `rawLength` bytes compressed to `compressedLength` was worth it; spaces out the next tries when not. */
  #judge(compressedLength: number, rawLength: number): boolean {
    this.#compressing = compressedLength <= rawLength - rawLength * WORTH_IT;
    if (this.#compressing) {
      this.#failures = 0;
      return true;
    }
    this.#skip = 2 ** Math.min(this.#failures, MAX_SKIP_EXPONENT) - 1;
    this.#failures++;
    return false;
  }
}

function stored(raw: Uint8Array): EncodedFrame {
  return { codec: FRAME_STORED, bytes: raw };
}

function zstdFrame(compressed: Uint8Array): EncodedFrame {
  return { codec: FRAME_ZSTD, bytes: compressed };
}

function compressSync(raw: Uint8Array): Buffer {
  return (zstd.zstdCompressSync as NonNullable<Zstd['zstdCompressSync']>)(raw, ZSTD_OPTIONS);
}

function compressAsync(raw: Uint8Array): Promise<Buffer> {
  const compress = zstd.zstdCompress as NonNullable<Zstd['zstdCompress']>;
  return new Promise((resolve, reject) => {
    compress(raw, ZSTD_OPTIONS, (error, result) => (error === null ? resolve(result) : reject(error)));
  });
}

/**
 * The raw bytes of a frame, or a reason why they cannot be had (an unknown codec, bytes zstd
 * rejects, or a length other than recorded). The stored bytes were checked against the frame's
 * checksum before. zstd frames decompress on Node's thread pool, so the frames of one read
 * decompress in parallel.
 */
export async function decodeFrame(
  codec: number,
  stored: Uint8Array,
  rawLength: number,
): Promise<Uint8Array | string> {
  if (codec === FRAME_STORED) {
    return stored.length === rawLength ? stored : `it stores ${stored.length} bytes for ${rawLength}`;
  }
  if (codec !== FRAME_ZSTD) return `it has the unknown codec ${codec}`;
  requireZstd('read a compressed checkpoint file');
  const decompress = zstd.zstdDecompress as NonNullable<Zstd['zstdDecompress']>;
  const raw = await new Promise<Buffer | string>((resolve) => {
    const options = { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(rawLength, 64 * 1024) };
    decompress(stored, options, (error, result) =>
      resolve(error === null ? result : `zstd cannot decompress it (${error.message})`),
    );
  });
  if (typeof raw === 'string') return raw;
  return raw.length === rawLength ? raw : `it decompresses to ${raw.length} bytes, not ${rawLength}`;
}
