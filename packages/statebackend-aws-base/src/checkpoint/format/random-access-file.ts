/**
 * A file that can be read at any offset: a local file, an S3 object read with ranged GETs, or
 * bytes in memory. Key-group files are read through it so that restoring a few key groups
 * reads only their blocks.
 */
export interface RandomAccessFile {
  /** How errors name the file, e.g. `file:///ckpt/job/op/chk-7/kg-0-63.e1.x.sbkg`. */
  readonly name: string;
  /** Length in bytes, as recorded when the file was written. */
  readonly size: number;
  /** Up to `length` bytes from `offset`; fewer only when the file is shorter than recorded. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link RandomAccessFile} over bytes in memory. */
export function bytesAsFile(name: string, bytes: Uint8Array): RandomAccessFile {
  return {
    name,
    size: bytes.length,
    read: (offset, length) =>
      Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}
