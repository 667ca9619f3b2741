import * as zlib from 'node:zlib';
import { CompressionUnavailableError } from '../../errors.js';
import { FRAME_STORED, FRAME_ZSTD } from './key-group-file-format.js';

type Callback = (error: Error | null, result: Buffer) => void;
type Zstd = {
  zstdCompressSync?: (bytes: Uint8Array, options: object) => Buffer;
  zstdDecompress?: (bytes: Uint8Array, options: object, callback: Callback) => void;
};
const zstd = zlib as Zstd;

/** Fails early when zstd is missing, before anything is written or read. */
export function requireZstd(what: string): void {
  if (zstd.zstdCompressSync === undefined || zstd.zstdDecompress === undefined) {
    throw new CompressionUnavailableError(what);
  }
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
