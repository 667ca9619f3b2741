/**
 * Layout of key-group files: checkpoint data files and canonical savepoints share it. The README
 * section "Canonical savepoint format" documents it byte by byte; keep the two in step.
 *
 * ```
 * file    = header block* index trailer
 * header  = magic[4] version:u16 flags:u16                      (8 bytes)
 * block   = entry*                  one per non-empty key group, ascending key group
 * entry   = flags:u8 state:varuint key:bytes namespace:bytes
 *           [userKey:bytes]          when flags & 1
 *           [value:bytes]            unless flags & 4
 *           [ttlTimestamp:u64]       when flags & 2
 * bytes   = length:varuint byte*
 * index   = properties:bytes (UTF-8 JSON, empty for data files)
 *           stateCount:varuint name:bytes*
 *           blockCount:varuint (keyGroup:varuint offset:varuint length:varuint entries:varuint crc:u32)*
 * trailer = indexOffset:u64 indexLength:u32 indexCrc:u32 version:u16 flags:u16 magic[4]   (24 bytes)
 * ```
 *
 * Integers are little-endian; varuint is unsigned LEB128; checksums are CRC-32 (zlib's).
 *
 * Version 2 adds delta files (file flag 1, in header and trailer): the cells of a key group that
 * changed since earlier files, each written whole (all its list elements or map entries), or as a
 * tombstone (entry flag 4: the cell was removed; no user key, value or TTL follow). Version 1
 * files (full data files, savepoints) are still written as version 1 and always read.
 *
 * Version 3 adds compressed data files (file flag 2, with or without flag 1). Their blocks and
 * index are the same, but block offsets count bytes of the *raw* stream (the file as it would be
 * stored uncompressed, header included), and the bytes between header and index are frames: runs
 * of whole blocks, each stored as it is or compressed with zstd, whichever is smaller. The index
 * ends with the frame table, after the blocks:
 *
 * ```
 * frames  = frameCount:varuint (codec:u8 rawLength:varuint storedLength:varuint crc:u32)*
 * ```
 *
 * Frames follow one another from byte 8 in both streams; `crc` is the CRC-32 of the stored bytes,
 * checked before they are decompressed. Codec 0 stores the raw bytes, codec 1 is one zstd frame.
 *
 * Full data files (any version) may split the block of a large key group into sub-blocks by a
 * hash of each entry's key, with their table in the index's properties (`{"subBlocks": ...}`,
 * see `sub-blocks.ts`); the block itself stays a block like any other, so readers that ignore
 * the properties of data files (all of them) read it whole.
 */

/** `SBKG`: a checkpoint data file. */
export const DATA_FILE_MAGIC = new Uint8Array([0x53, 0x42, 0x4b, 0x47]);
/** `SBSP`: a canonical savepoint. */
export const SAVEPOINT_MAGIC = new Uint8Array([0x53, 0x42, 0x53, 0x50]);

/** The version of full files and savepoints; readers accept every version in {@link KEY_GROUP_FILE_VERSIONS}. */
export const KEY_GROUP_FILE_VERSION = 1;
/** The version of delta files, the first that defines {@link FILE_IS_DELTA} and {@link ENTRY_IS_TOMBSTONE}. */
export const DELTA_FILE_VERSION = 2;
/** The version of compressed data files, the first that defines {@link FILE_IS_COMPRESSED}. */
export const COMPRESSED_FILE_VERSION = 3;
export const KEY_GROUP_FILE_VERSIONS: readonly number[] = [1, 2, 3];

/** File flag (version 2): the file holds changed cells over earlier files, tombstones included. */
export const FILE_IS_DELTA = 1;
/** File flag (version 3): blocks are stored in frames, compressed where that saves space. */
export const FILE_IS_COMPRESSED = 2;
/** The file flags each version defines. */
export function knownFileFlags(version: number): number {
  if (version >= COMPRESSED_FILE_VERSION) return FILE_IS_DELTA | FILE_IS_COMPRESSED;
  return version >= DELTA_FILE_VERSION ? FILE_IS_DELTA : 0;
}

/** Frame codec: the raw bytes, stored as they are. */
export const FRAME_STORED = 0;
/** Frame codec: one zstd frame. */
export const FRAME_ZSTD = 1;

/** A frame of a compressed file (version 3): a run of whole blocks, stored or compressed. */
export interface KeyGroupFrame {
  readonly codec: number;
  readonly rawLength: number;
  readonly storedLength: number;
  /** CRC-32 of the stored bytes. */
  readonly crc: number;
}

/** How data files are compressed: `zstd` (frames compressed where that saves space) or `none`. */
export type SnapshotCompression = 'zstd' | 'none';
export const SNAPSHOT_COMPRESSIONS: readonly SnapshotCompression[] = ['zstd', 'none'];

export const HEADER_LENGTH = 8;
export const TRAILER_LENGTH = 24;

/** Entry flag: a user key (map state) follows the namespace. */
export const ENTRY_HAS_USER_KEY = 1;
/** Entry flag: a TTL timestamp follows the value. */
export const ENTRY_HAS_TTL = 2;
/** Entry flag (delta files only): the cell (state, key, namespace) was removed. Nothing follows the namespace. */
export const ENTRY_IS_TOMBSTONE = 4;
export const ENTRY_KNOWN_FLAGS = ENTRY_HAS_USER_KEY | ENTRY_HAS_TTL;

/** Which of the two kinds of key-group file. */
export type KeyGroupFileKind = 'data' | 'savepoint';

export function magicOf(kind: KeyGroupFileKind): Uint8Array {
  return kind === 'data' ? DATA_FILE_MAGIC : SAVEPOINT_MAGIC;
}

/** One block of the index: where a key group's entries are and how to verify them. */
export interface KeyGroupBlock {
  readonly keyGroup: number;
  /** Offset of the block from the start of the file (of the raw stream, in a compressed file). */
  readonly offset: number;
  readonly length: number;
  readonly entries: number;
  readonly crc: number;
}

/**
 * One stored entry, as views into the bytes read (valid only during the callback that receives
 * it: copy what you keep).
 */
export interface RawEntry {
  /** Index into the file's state names. */
  stateIndex: number;
  key: Uint8Array;
  namespace: Uint8Array;
  /** The map key, for map state entries. */
  userKey: Uint8Array | undefined;
  value: Uint8Array;
  /** Milliseconds since the epoch, for states with TTL. */
  ttlTimestamp: number | undefined;
  /**
   * True for a tombstone of a delta file: the cell (state, key, namespace) was removed; `value` is
   * empty. Sources resolve delta chains, so restores never see one.
   */
  tombstone?: boolean;
}
