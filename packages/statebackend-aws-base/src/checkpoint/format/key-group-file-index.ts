import {
  CorruptCheckpointError,
  CorruptSavepointError,
  NotACheckpointError,
  UnsupportedCheckpointVersionError,
} from '../../errors.js';
import type { JsonValue } from '../json.js';
import { ByteReader } from './byte-reader.js';
import { crc32 } from './crc32.js';
import {
  FILE_IS_COMPRESSED,
  HEADER_LENGTH,
  KEY_GROUP_FILE_VERSIONS,
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  knownFileFlags,
  magicOf,
  TRAILER_LENGTH,
} from './key-group-file-format.js';
import type { RandomAccessFile } from './random-access-file.js';

/** Bytes read from the end of a file when opening it: the trailer and, mostly, the index. */
const TAIL_READ = 64 * 1024;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** The end of a file, read when opening it, and where it starts. */
export interface Tail {
  readonly bytes: Uint8Array;
  readonly start: number;
}

/** What the trailer of a key-group file says. */
interface Trailer {
  readonly indexOffset: number;
  readonly indexLength: number;
  readonly indexCrc: number;
  readonly version: number;
  readonly flags: number;
}

/** The index of a key-group file, decoded and checked. */
interface FileIndex {
  readonly properties: JsonValue | undefined;
  readonly stateNames: readonly string[];
  readonly blocks: readonly KeyGroupBlock[];
  readonly frames: readonly KeyGroupFrame[];
}

/** What opening a key-group file finds: its trailer and index, checked, and the end of it as read. */
export interface OpenedKeyGroupFile extends FileIndex {
  readonly version: number;
  readonly flags: number;
  /** Blocks in it are not read again. */
  readonly tail: Tail;
}

export type Fail = (reason: string) => never;

/**
 * Opens a key-group file (see `key-group-file-format.ts`): its end read at once, the trailer and
 * the index checked and decoded before any block is read. What is wrong is a typed error naming
 * the file: not a key-group file at all, a version this code does not read, or corrupt.
 */
export async function openKeyGroupFile(
  file: RandomAccessFile,
  kind: KeyGroupFileKind,
): Promise<OpenedKeyGroupFile> {
  const fail = failureOf(file, kind);
  const tail = await readTail(file, kind, fail);
  const trailer = readTrailer(file, kind, tail.bytes, fail);
  const index = decodeIndex(await readIndex(file, kind, tail, trailer, fail), trailer, fail);
  return { ...index, version: trailer.version, flags: trailer.flags, tail };
}

/** Throws the corruption error of the file's kind, naming the file. */
export function failureOf(file: RandomAccessFile, kind: KeyGroupFileKind): Fail {
  return (reason) => {
    throw kind === 'data'
      ? new CorruptCheckpointError(file.name, reason)
      : new CorruptSavepointError(file.name, reason);
  };
}

/**
 * The end of `file`, read at once: one read usually brings the index along with the trailer (one
 * request on S3). A file too short or without the magic bytes at its end is not a key-group file.
 */
async function readTail(file: RandomAccessFile, kind: KeyGroupFileKind, fail: Fail): Promise<Tail> {
  if (file.size < HEADER_LENGTH + TRAILER_LENGTH) {
    if (kind === 'savepoint') throw new NotACheckpointError(file.name, `it has only ${file.size} bytes`);
    fail(`it has ${file.size} bytes, fewer than the ${HEADER_LENGTH + TRAILER_LENGTH} of an empty file`);
  }
  const start = Math.max(0, file.size - TAIL_READ);
  const bytes = await file.read(start, file.size - start);
  if (bytes.length !== file.size - start)
    fail(`it is shorter than the ${file.size} bytes recorded (truncated)`);
  const magic = magicOf(kind);
  // The magic bytes first: a file that is not a key-group file is told so, not called corrupt.
  if (!sameBytes(bytes.subarray(bytes.length - 4), magic)) {
    const reason = `it does not end with the magic bytes '${String.fromCharCode(...magic)}'`;
    if (kind === 'savepoint') throw new NotACheckpointError(file.name, `${reason}; it is not a savepoint`);
    fail(`${reason} (truncated or overwritten)`);
  }
  return { bytes, start };
}

/** The trailer at the end of `tail`, checked: a version read here, flags it defines, the index before it. */
function readTrailer(file: RandomAccessFile, kind: KeyGroupFileKind, tail: Uint8Array, fail: Fail): Trailer {
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
  return { indexOffset, indexLength, indexCrc, version, flags };
}

/** The bytes of the index (from the tail where it holds them), checked against their checksum. */
async function readIndex(
  file: RandomAccessFile,
  kind: KeyGroupFileKind,
  tail: Tail,
  trailer: Trailer,
  fail: Fail,
): Promise<Uint8Array> {
  const { indexOffset, indexLength, indexCrc, version, flags } = trailer;
  const bytes =
    indexOffset >= tail.start
      ? tail.bytes.subarray(indexOffset - tail.start, indexOffset - tail.start + indexLength)
      : await file.read(indexOffset, indexLength);
  if (bytes.length !== indexLength) fail('the index is cut off (truncated)');
  if (tail.start === 0) checkHeader(tail.bytes, magicOf(kind), version, flags, fail);
  const actualCrc = crc32(bytes);
  if (actualCrc !== indexCrc) fail(`index checksum is ${hex(actualCrc)}, expected ${hex(indexCrc)}`);
  return bytes;
}

/**
 * The index: properties, state names, blocks and (compressed files) frames, in that order, with
 * every block inside the data (the raw stream of a compressed file) and nothing after the frames.
 */
function decodeIndex(bytes: Uint8Array, trailer: Trailer, fail: Fail): FileIndex {
  const index = new ByteReader(bytes, fail);
  const properties = decodeProperties(index.readLengthPrefixed('properties'), fail);
  const stateCount = index.readVarUint('state count');
  const stateNames: string[] = [];
  for (let i = 0; i < stateCount; i++)
    stateNames.push(decodeText(index.readLengthPrefixed('state name'), fail));
  const blocks = decodeBlocks(index, fail);
  const compressed = (trailer.flags & FILE_IS_COMPRESSED) !== 0;
  const frames = compressed ? decodeFrames(index, trailer.indexOffset, fail) : [];
  // Blocks end before the index; in a compressed file, before the end of the raw stream.
  const blocksEnd = compressed
    ? frames.reduce((end, frame) => end + frame.rawLength, HEADER_LENGTH)
    : trailer.indexOffset;
  const last = blocks[blocks.length - 1];
  const blocksRunTo = last === undefined ? HEADER_LENGTH : last.offset + last.length;
  if (blocksRunTo > blocksEnd) {
    fail(`the blocks run to byte ${blocksRunTo}, past the end of the data at byte ${blocksEnd}`);
  }
  if (!index.atEnd) fail(`${index.remaining} unexpected bytes follow the index`);
  return { properties, stateNames, blocks, frames };
}

function decodeProperties(bytes: Uint8Array, fail: Fail): JsonValue | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(textDecoder.decode(bytes)) as JsonValue;
  } catch (error) {
    return fail(`the properties are not UTF-8 JSON (${String(error)})`);
  }
}

/** The block table: ascending key groups, each block after the previous one and not empty. */
function decodeBlocks(index: ByteReader, fail: Fail): KeyGroupBlock[] {
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
    if (block.keyGroup <= previousKeyGroup) fail(`key group ${block.keyGroup} is out of order in the index`);
    if (block.offset < previousEnd || block.entries === 0) {
      fail(
        `the block of key group ${block.keyGroup} (byte ${block.offset}, ${block.length} bytes) is out of place`,
      );
    }
    previousEnd = block.offset + block.length;
    previousKeyGroup = block.keyGroup;
    blocks.push(block);
  }
  return blocks;
}

/** The frame table of a compressed file: frames that are not empty and end where the index starts. */
function decodeFrames(index: ByteReader, indexOffset: number, fail: Fail): KeyGroupFrame[] {
  const frameCount = index.readVarUint('frame count');
  const frames: KeyGroupFrame[] = [];
  let storedEnd = HEADER_LENGTH;
  for (let i = 0; i < frameCount; i++) {
    const frame: KeyGroupFrame = {
      codec: index.readU8('frame codec'),
      rawLength: index.readVarUint('frame length'),
      storedLength: index.readVarUint('stored frame length'),
      crc: index.readU32('frame checksum'),
    };
    if (frame.rawLength === 0 || frame.storedLength === 0) fail(`frame ${i} is empty`);
    storedEnd += frame.storedLength;
    frames.push(frame);
  }
  if (storedEnd !== indexOffset) {
    fail(`the frames end at byte ${storedEnd}, but the index starts at byte ${indexOffset}`);
  }
  return frames;
}

export function checkHeader(
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
