import {
  CorruptCheckpointError,
  CorruptSavepointError,
  NotACheckpointError,
  UnsupportedCheckpointVersionError,
} from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { JsonValue } from '../json.js';
import { decodeVerifiedBlock } from './block-decoder.js';
import { ByteReader } from './byte-reader.js';
import { coalesce } from './coalesce-blocks.js';
import { crc32 } from './crc32.js';
import { decodeFrame } from './frame-codec.js';
import {
  ENTRY_HAS_TTL,
  ENTRY_HAS_USER_KEY,
  ENTRY_IS_TOMBSTONE,
  ENTRY_KNOWN_FLAGS,
  FILE_IS_COMPRESSED,
  FILE_IS_DELTA,
  HEADER_LENGTH,
  KEY_GROUP_FILE_VERSIONS,
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  knownFileFlags,
  magicOf,
  type RawEntry,
  TRAILER_LENGTH,
} from './key-group-file-format.js';
import type { RandomAccessFile } from './random-access-file.js';

/** Bytes of a file and where they start (in the raw stream, for a compressed file). */
interface RawPiece {
  readonly bytes: Uint8Array;
  readonly start: number;
}

/** Bytes read from the end of a file when opening it: the trailer and, mostly, the index. */
const TAIL_READ = 64 * 1024;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a key-group file: the trailer and index first, then only the blocks of the key groups
 * asked for (adjacent blocks in one read). Every block is checked against its CRC-32 before
 * one entry of it is handed out, so a corrupt file never yields part of a key group.
 */
export class KeyGroupFileReader {
  readonly file: RandomAccessFile;
  readonly kind: KeyGroupFileKind;
  readonly version: number;
  /** The file flags (version 2: {@link FILE_IS_DELTA}). */
  readonly flags: number;
  /** Whether the file is a delta file: changed cells and tombstones over earlier files. */
  get isDelta(): boolean {
    return (this.flags & FILE_IS_DELTA) !== 0;
  }
  /** The JSON stored in the index (a savepoint's metadata). */
  readonly properties: JsonValue | undefined;
  readonly stateNames: readonly string[];
  /** Whether blocks are stored in frames, compressed where that saved space (version 3). */
  get isCompressed(): boolean {
    return (this.flags & FILE_IS_COMPRESSED) !== 0;
  }
  /** Blocks in ascending key-group order (offsets into the raw stream of a compressed file). */
  readonly blocks: readonly KeyGroupBlock[];
  /** The frames of a compressed file, in file order; empty for other files. */
  readonly frames: readonly KeyGroupFrame[];
  /** Where each frame starts in the raw and in the stored stream. */
  readonly #frameStarts: { readonly raw: readonly number[]; readonly stored: readonly number[] };
  /** The end of the file read when opening it, and where it starts: blocks in it are not read again. */
  readonly #tail: { readonly bytes: Uint8Array; readonly start: number };

  private constructor(
    file: RandomAccessFile,
    kind: KeyGroupFileKind,
    version: number,
    flags: number,
    properties: JsonValue | undefined,
    stateNames: readonly string[],
    blocks: readonly KeyGroupBlock[],
    frames: readonly KeyGroupFrame[],
    tail: { readonly bytes: Uint8Array; readonly start: number },
  ) {
    this.#tail = tail;
    this.frames = frames;
    const raw: number[] = [];
    const stored: number[] = [];
    let rawAt = HEADER_LENGTH;
    let storedAt = HEADER_LENGTH;
    for (const frame of frames) {
      raw.push(rawAt);
      stored.push(storedAt);
      rawAt += frame.rawLength;
      storedAt += frame.storedLength;
    }
    this.#frameStarts = { raw, stored };
    this.file = file;
    this.kind = kind;
    this.version = version;
    this.flags = flags;
    this.properties = properties;
    this.stateNames = stateNames;
    this.blocks = blocks;
  }

  /** Reads and verifies the trailer and index of `file`. */
  static async open(file: RandomAccessFile, kind: KeyGroupFileKind): Promise<KeyGroupFileReader> {
    const fail = (reason: string): never => {
      throw kind === 'data'
        ? new CorruptCheckpointError(file.name, reason)
        : new CorruptSavepointError(file.name, reason);
    };
    if (file.size < HEADER_LENGTH + TRAILER_LENGTH) {
      if (kind === 'savepoint') throw new NotACheckpointError(file.name, `it has only ${file.size} bytes`);
      fail(`it has ${file.size} bytes, fewer than the ${HEADER_LENGTH + TRAILER_LENGTH} of an empty file`);
    }
    // One read of the tail usually brings the index along with the trailer (one request on S3).
    const tailStart = Math.max(0, file.size - TAIL_READ);
    const tail = await file.read(tailStart, file.size - tailStart);
    if (tail.length !== file.size - tailStart)
      fail(`it is shorter than the ${file.size} bytes recorded (truncated)`);
    const magic = magicOf(kind);
    // The magic bytes first: a file that is not a key-group file is told so, not called corrupt.
    if (!sameBytes(tail.subarray(tail.length - 4), magic)) {
      const reason = `it does not end with the magic bytes '${String.fromCharCode(...magic)}'`;
      if (kind === 'savepoint') throw new NotACheckpointError(file.name, `${reason}; it is not a savepoint`);
      fail(`${reason} (truncated or overwritten)`);
    }
    const trailer = new ByteReader(tail, fail, tail.length - TRAILER_LENGTH);
    const indexOffset = trailer.readU64('index offset');
    const indexLength = trailer.readU32('index length');
    const indexCrc = trailer.readU32('index checksum');
    const version = trailer.readU16('format version');
    const flags = trailer.readU16('flags');
    if (!KEY_GROUP_FILE_VERSIONS.includes(version)) {
      throw new UnsupportedCheckpointVersionError(file.name, version, KEY_GROUP_FILE_VERSIONS);
    }
    const known = kind === 'data' ? knownFileFlags(version) : 0;
    if ((flags & ~known) !== 0) {
      fail(
        `the trailer has flags ${flags}; version ${version} of a ${kind} file defines ${known === 0 ? 'none' : known}`,
      );
    }
    if (indexOffset < HEADER_LENGTH || indexOffset + indexLength !== file.size - TRAILER_LENGTH) {
      fail(`the index at byte ${indexOffset} (${indexLength} bytes) does not end where the trailer starts`);
    }
    const indexBytes =
      indexOffset >= tailStart
        ? tail.subarray(indexOffset - tailStart, indexOffset - tailStart + indexLength)
        : await file.read(indexOffset, indexLength);
    if (indexBytes.length !== indexLength) fail('the index is cut off (truncated)');
    if (tailStart === 0) checkHeader(tail, magic, version, flags, fail);
    const actualCrc = crc32(indexBytes);
    if (actualCrc !== indexCrc) fail(`index checksum is ${hex(actualCrc)}, expected ${hex(indexCrc)}`);

    const index = new ByteReader(indexBytes, fail);
    const propertyBytes = index.readLengthPrefixed('properties');
    let properties: JsonValue | undefined;
    if (propertyBytes.length > 0) {
      try {
        properties = JSON.parse(textDecoder.decode(propertyBytes)) as JsonValue;
      } catch (error) {
        fail(`the properties are not UTF-8 JSON (${String(error)})`);
      }
    }
    const stateCount = index.readVarUint('state count');
    const stateNames: string[] = [];
    for (let i = 0; i < stateCount; i++)
      stateNames.push(decodeText(index.readLengthPrefixed('state name'), fail));
    const blockCount = index.readVarUint('block count');
    const blocks: KeyGroupBlock[] = [];
    let previousEnd = HEADER_LENGTH;
    let previousKeyGroup = -1;
    for (let i = 0; i < blockCount; i++) {
      const block: KeyGroupBlock = {
        keyGroup: index.readVarUint('key group'),
        offset: index.readVarUint('block offset'),
        length: index.readVarUint('block length'),
        entries: index.readVarUint('entry count'),
        crc: index.readU32('block checksum'),
      };
      if (block.keyGroup <= previousKeyGroup)
        fail(`key group ${block.keyGroup} is out of order in the index`);
      if (block.offset < previousEnd || block.entries === 0) {
        fail(
          `the block of key group ${block.keyGroup} (byte ${block.offset}, ${block.length} bytes) is out of place`,
        );
      }
      previousEnd = block.offset + block.length;
      previousKeyGroup = block.keyGroup;
      blocks.push(block);
    }
    const frames: KeyGroupFrame[] = [];
    // Blocks end before the index; in a compressed file, before the end of the raw stream.
    let blocksEnd = indexOffset;
    if ((flags & FILE_IS_COMPRESSED) !== 0) {
      const frameCount = index.readVarUint('frame count');
      let rawEnd = HEADER_LENGTH;
      let storedEnd = HEADER_LENGTH;
      for (let i = 0; i < frameCount; i++) {
        const frame: KeyGroupFrame = {
          codec: index.readU8('frame codec'),
          rawLength: index.readVarUint('frame length'),
          storedLength: index.readVarUint('stored frame length'),
          crc: index.readU32('frame checksum'),
        };
        if (frame.rawLength === 0 || frame.storedLength === 0) fail(`frame ${i} is empty`);
        rawEnd += frame.rawLength;
        storedEnd += frame.storedLength;
        frames.push(frame);
      }
      if (storedEnd !== indexOffset) {
        fail(`the frames end at byte ${storedEnd}, but the index starts at byte ${indexOffset}`);
      }
      blocksEnd = rawEnd;
    }
    if (previousEnd > blocksEnd) {
      fail(`the blocks run to byte ${previousEnd}, past the end of the data at byte ${blocksEnd}`);
    }
    if (!index.atEnd) fail(`${index.remaining} unexpected bytes follow the index`);
    return new KeyGroupFileReader(file, kind, version, flags, properties, stateNames, blocks, frames, {
      bytes: tail,
      start: tailStart,
    });
  }

  /** The smallest and largest key group with entries, or undefined for a file without entries. */
  keyGroupBounds(): { first: number; last: number } | undefined {
    const first = this.blocks[0];
    const last = this.blocks[this.blocks.length - 1];
    return first === undefined || last === undefined
      ? undefined
      : { first: first.keyGroup, last: last.keyGroup };
  }

  /**
   * Calls `visit` for every entry of the key groups `wanted` accepts, in file order. The entry
   * object and its arrays are reused: copy what you keep.
   */
  async forEachEntry(
    wanted: KeyGroupRange | ((keyGroup: number) => boolean),
    visit: (keyGroup: number, entry: RawEntry) => void,
  ): Promise<void> {
    await this.forEachBlock(wanted, (block, bytes) =>
      decodeVerifiedBlock(bytes, block.entries, block.keyGroup, visit),
    );
  }

  /**
   * Calls `visit` with the bytes of every block of the key groups `wanted` accepts, each checked
   * (checksum and structure) before it is handed out; decode them with {@link decodeVerifiedBlock}.
   * The bytes are views into the buffers read: keep them as long as needed, they are not reused.
   */
  async forEachBlock(
    wanted: KeyGroupRange | ((keyGroup: number) => boolean),
    visit: (block: KeyGroupBlock, bytes: Uint8Array) => void,
  ): Promise<void> {
    const selected =
      typeof wanted === 'function'
        ? this.blocks.filter((block) => wanted(block.keyGroup))
        : this.blocksIn(wanted.startKeyGroup, wanted.endKeyGroup);
    for (const run of coalesce(selected)) {
      const first = run[0];
      const last = run[run.length - 1];
      if (first === undefined || last === undefined) continue;
      const what = `key groups ${first.keyGroup} to ${last.keyGroup}`;
      const end = last.offset + last.length;
      // Each piece holds whole blocks: the stored run, or one frame of a compressed file.
      const pieces = this.isCompressed
        ? await this.readFrames(first.offset, end, what)
        : [await this.readStored(first.offset, end, what)];
      let index = 0;
      for (const block of run) {
        let piece = pieces[index] as RawPiece;
        while (block.offset >= piece.start + piece.bytes.length && index < pieces.length - 1) {
          piece = pieces[++index] as RawPiece;
        }
        const from = block.offset - piece.start;
        if (from < 0 || from + block.length > piece.bytes.length) {
          this.fail(`the block of key group ${block.keyGroup} is not within one frame`);
        }
        const blockBytes = piece.bytes.subarray(from, from + block.length);
        this.verifyBlock(blockBytes, block);
        visit(block, blockBytes);
      }
    }
  }

  /** The blocks of key groups `first` to `last`, found by binary search (blocks ascend by key group). */
  blocksIn(first: number, last: number): readonly KeyGroupBlock[] {
    const blocks = this.blocks;
    let low = 0;
    let high = blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((blocks[middle] as KeyGroupBlock).keyGroup < first) low = middle + 1;
      else high = middle;
    }
    let end = low;
    while (end < blocks.length && (blocks[end] as KeyGroupBlock).keyGroup <= last) end++;
    return blocks.slice(low, end);
  }

  /**
   * Bytes `from` to `to` of the file as stored, and where they start. A read from the first block
   * reads the header too, so that every byte read is checked.
   */
  private async readStored(from: number, to: number, what: string): Promise<RawPiece> {
    const start = from === HEADER_LENGTH ? 0 : from;
    const length = to - start;
    const tail = this.#tail;
    const bytes =
      start >= tail.start
        ? tail.bytes.subarray(start - tail.start, start - tail.start + length)
        : await this.file.read(start, length);
    if (bytes.length !== length) this.fail(`${what} are cut off (truncated file)`);
    if (start === 0)
      checkHeader(bytes, magicOf(this.kind), this.version, this.flags, (reason) => this.fail(reason));
    return { bytes, start };
  }

  /**
   * Raw bytes `from` to `to` of a compressed file, frame by frame: the frames holding them, read
   * at once, each checked against its checksum before it is decompressed.
   */
  private async readFrames(from: number, to: number, what: string): Promise<RawPiece[]> {
    const starts = this.#frameStarts;
    const first = lastAtOrBefore(starts.raw, from);
    const last = lastAtOrBefore(starts.raw, to - 1);
    const lastFrame = this.frames[last] as KeyGroupFrame;
    const storedFrom = starts.stored[first] as number;
    const stored = await this.readStored(
      storedFrom,
      (starts.stored[last] as number) + lastFrame.storedLength,
      what,
    );
    const pieces: Promise<RawPiece>[] = [];
    for (let i = first; i <= last; i++) {
      const frame = this.frames[i] as KeyGroupFrame;
      const at = (starts.stored[i] as number) - stored.start;
      const bytes = stored.bytes.subarray(at, at + frame.storedLength);
      const actual = crc32(bytes);
      if (actual !== frame.crc)
        this.fail(`checksum of frame ${i} is ${hex(actual)}, expected ${hex(frame.crc)}`);
      const start = starts.raw[i] as number;
      pieces.push(
        decodeFrame(frame.codec, bytes, frame.rawLength).then((raw) =>
          typeof raw === 'string' ? this.fail(`frame ${i}: ${raw}`) : { bytes: raw, start },
        ),
      );
    }
    return Promise.all(pieces);
  }

  /** Checks a block's checksum and that its entries parse to exactly its end, reading nothing out. */
  private verifyBlock(bytes: Uint8Array, block: KeyGroupBlock): void {
    const actual = crc32(bytes);
    if (actual !== block.crc) {
      this.fail(`checksum of key group ${block.keyGroup} is ${hex(actual)}, expected ${hex(block.crc)}`);
    }
    const fail = (reason: string): never => this.fail(`key group ${block.keyGroup}: ${reason}`);
    const reader = new ByteReader(bytes, fail);
    const stateCount = this.stateNames.length;
    const known = this.isDelta ? ENTRY_KNOWN_FLAGS | ENTRY_IS_TOMBSTONE : ENTRY_KNOWN_FLAGS;
    for (let i = 0; i < block.entries; i++) {
      const flags = reader.readU8('entry flags');
      if ((flags & ~known) !== 0) fail(`entry ${i} has unknown flags ${hex(flags)}`);
      if (flags & ENTRY_IS_TOMBSTONE && flags !== ENTRY_IS_TOMBSTONE)
        fail(`entry ${i} is a tombstone with other flags ${hex(flags)}`);
      const stateIndex = reader.readVarUint('state index');
      if (stateIndex >= stateCount) fail(`entry ${i} refers to state ${stateIndex} of ${stateCount}`);
      reader.skipLengthPrefixed('key');
      reader.skipLengthPrefixed('namespace');
      if (flags & ENTRY_IS_TOMBSTONE) continue;
      if (flags & ENTRY_HAS_USER_KEY) reader.skipLengthPrefixed('user key');
      reader.skipLengthPrefixed('value');
      if (flags & ENTRY_HAS_TTL) reader.position += 8;
      if (reader.remaining < 0) fail(`entry ${i} runs past the end of the block`);
    }
    if (!reader.atEnd) fail(`${reader.remaining} bytes follow the last of its ${block.entries} entries`);
  }

  private fail(reason: string): never {
    throw this.kind === 'data'
      ? new CorruptCheckpointError(this.file.name, reason)
      : new CorruptSavepointError(this.file.name, reason);
  }
}

function checkHeader(
  bytes: Uint8Array,
  magic: Uint8Array,
  version: number,
  trailerFlags: number,
  fail: (reason: string) => never,
): void {
  const header = new ByteReader(bytes, fail, 0, HEADER_LENGTH);
  if (!sameBytes(header.readBytes(4, 'magic'), magic)) fail('the header does not start with the magic bytes');
  const headerVersion = header.readU16('format version');
  const flags = header.readU16('flags');
  if (headerVersion !== version || flags !== trailerFlags) {
    fail(
      `the header says version ${headerVersion} with flags ${flags}, the trailer version ${version} with flags ${trailerFlags}`,
    );
  }
}

function decodeText(bytes: Uint8Array, fail: (reason: string) => never): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    return fail('a state name is not UTF-8');
  }
}

/** The index of the last of the ascending `starts` at or before `position` (0 when none is). */
function lastAtOrBefore(starts: readonly number[], position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((starts[middle] as number) <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
