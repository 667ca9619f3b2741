/**
 * CRC-32s of chunks, kept beside them: the key-group file writer knows each chunk's checksum
 * (from its blocks' and frames'), and storage that must checksum what it uploads (S3's
 * per-part `x-amz-checksum-crc32`) takes it from here instead of reading every byte again.
 * Chunks are never written to after they are handed out, so the checksum stays true.
 */
const known = new WeakMap<Uint8Array, number>();

/** Records the CRC-32 of `chunk`. */
export function rememberCrc32(chunk: Uint8Array, crc: number): void {
  known.set(chunk, crc);
}

/** The CRC-32 recorded for `chunk`, if any. */
export function knownCrc32(chunk: Uint8Array): number | undefined {
  return known.get(chunk);
}
