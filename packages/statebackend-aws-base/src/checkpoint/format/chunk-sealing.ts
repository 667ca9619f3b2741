/**
 * Sealing a chunk of a key-group file: the checksums of its key-group blocks and of the chunk, and
 * for a compressed file the frame it is stored as. It reads every byte of the file (twice when it
 * compresses), so data files are sealed on a worker thread ({@link ChunkSealer}); savepoints and
 * the writer's synchronous methods seal on the calling thread with the same code.
 */

/** A chunk taken from a key-group file, to seal. */
export interface SealRequest {
  /** Which file: a compressed file's frames are planned from its earlier frames. */
  readonly file: number;
  /** The chunk's raw bytes: a header first when `headerLength` > 0, then whole key-group blocks. */
  readonly bytes: Uint8Array;
  readonly headerLength: number;
  /** The blocks in `bytes`, as [start, length] pairs from its first byte. */
  readonly blocks: readonly number[];
  /** Whether the chunk is a frame of a compressed file (stored as is, or as one zstd frame). */
  readonly compress: boolean;
  /** The file's last chunk: its planning state can go. */
  readonly last: boolean;
}

/** What sealing found. */
export interface Sealed {
  /** The raw bytes, unchanged (a new view of them when they went to a worker and back). */
  readonly bytes: Uint8Array;
  /** CRC-32 of each block, in the order of the request. */
  readonly blockCrcs: readonly number[];
  /** CRC-32 of all of `bytes`. */
  readonly crc: number;
  /** CRC-32 of the bytes after the header (`crc` when there is none). */
  readonly payloadCrc: number;
  /** For a frame: 0 when stored as it is, 1 for zstd; for other chunks 0. */
  readonly codec: number;
  /** The zstd frame, for codec 1. */
  readonly compressed: Uint8Array | undefined;
  /** CRC-32 of `compressed`; 0 without. */
  readonly compressedCrc: number;
}

/** The parts of `node:zlib` sealing uses. */
export interface SealingZlib {
  crc32(data: Uint8Array, value?: number): number;
  zstdCompressSync?: ((data: Uint8Array, options: object) => Uint8Array) | undefined;
  constants: Record<string, number>;
}

/** Seals chunks; keeps what it learnt about each compressed file until its last chunk. */
export interface Sealer {
  seal(request: SealRequest): Sealed;
}

/**
 * A {@link Sealer}. Self-contained (it refers to nothing outside its own body and arguments),
 * because a worker thread runs its source text: see `ChunkSealer`. With `combine` (CRC-32
 * combination, `crc32Combine`) a chunk's checksum is made from its large blocks' instead of a
 * second pass over them: on the main thread, where each pass costs what records could use.
 *
 * Compressed files: data that does not compress (encrypted or already compressed values) is found
 * out and stored as it is, cheaply. The first frame, and each try after a frame that did not
 * shrink by an eighth, compresses the first 64 KiB of the frame before the whole; after a failed
 * try the next 1, 2, 4, … 32 frames are stored without trying. So incompressible state costs
 * trials of a few hundred KiB per file, not a compression of every byte; state that compresses
 * again is compressed again from the next try on. A file's chunks are sealed in order, so each
 * plan knows how the frames before it went.
 */
export function createSealer(
  zlib: SealingZlib,
  combine?: (crcA: number, crcB: number, lengthB: number) => number,
): Sealer {
  /** From this block length up, a chunk's checksum combines the block's rather than reading it again. */
  const combineFrom = 16 * 1024;
  /** zstd's fastest regular level: about 300 MB/s on typical state, a sixth of its size or less. */
  const options = {
    params: { [zlib.constants.ZSTD_c_compressionLevel as number]: 1 },
    chunkSize: 256 * 1024,
  };
  /** A frame is kept compressed only when that saves at least an eighth of it. */
  const worthIt = 1 / 8;
  /** After frames that would not compress, up to 2^this frames are stored without trying. */
  const maxSkipExponent = 5;
  /** Frames this short are stored: a zstd frame's own overhead would eat what it saves. */
  const minCompressed = 256;
  /** After a frame that did not compress, the next try compresses this much of a frame first. */
  const sample = 64 * 1024;
  const files = new Map<number, { skip: number; failures: number; compressing: boolean }>();

  const compress = (bytes: Uint8Array): Uint8Array => {
    const compressSync = zlib.zstdCompressSync;
    if (compressSync === undefined) throw new Error('zstd is not available in this Node.js');
    return compressSync(bytes, options);
  };
  /** Whether `rawLength` bytes compressed to `compressedLength` was worth it; spaces out the next tries when not. */
  const judge = (
    state: { skip: number; failures: number; compressing: boolean },
    compressedLength: number,
    rawLength: number,
  ): boolean => {
    state.compressing = compressedLength <= rawLength - rawLength * worthIt;
    if (state.compressing) {
      state.failures = 0;
      return true;
    }
    state.skip = 2 ** Math.min(state.failures, maxSkipExponent) - 1;
    state.failures++;
    return false;
  };
  /** The zstd frame `payload` is stored as, or undefined to store it as it is. */
  const encode = (file: number, payload: Uint8Array, last: boolean): Uint8Array | undefined => {
    let state = files.get(file);
    if (state === undefined) {
      state = { skip: 0, failures: 0, compressing: false };
      files.set(file, state);
    }
    if (last) files.delete(file);
    if (payload.length < minCompressed) return undefined;
    if (state.skip > 0) {
      state.skip--;
      return undefined;
    }
    if (!state.compressing && payload.length > 2 * sample) {
      if (!judge(state, compress(payload.subarray(0, sample)).length, sample)) return undefined;
      return compress(payload);
    }
    const compressed = compress(payload);
    return judge(state, compressed.length, payload.length) ? compressed : undefined;
  };

  return {
    seal(request) {
      const { bytes, headerLength, blocks } = request;
      const blockCrcs: number[] = [];
      let crc = 0;
      let at = 0;
      for (let i = 0; i < blocks.length; i += 2) {
        const start = blocks[i] as number;
        const end = start + (blocks[i + 1] as number);
        if (start > at) crc = zlib.crc32(bytes.subarray(at, start), crc);
        const block = bytes.subarray(start, end);
        const blockCrc = zlib.crc32(block);
        blockCrcs.push(blockCrc);
        crc =
          combine !== undefined && block.length >= combineFrom
            ? combine(crc, blockCrc, block.length)
            : zlib.crc32(block, crc);
        at = end;
      }
      if (at < bytes.length) crc = zlib.crc32(bytes.subarray(at), crc);
      const payload = bytes.subarray(headerLength);
      const payloadCrc = headerLength === 0 ? crc : zlib.crc32(payload);
      if (!request.compress) {
        if (request.last) files.delete(request.file);
        return { bytes, blockCrcs, crc, payloadCrc, codec: 0, compressed: undefined, compressedCrc: 0 };
      }
      const compressed = encode(request.file, payload, request.last);
      return compressed === undefined
        ? { bytes, blockCrcs, crc, payloadCrc, codec: 0, compressed: undefined, compressedCrc: 0 }
        : { bytes, blockCrcs, crc, payloadCrc, codec: 1, compressed, compressedCrc: zlib.crc32(compressed) };
    },
  };
}
