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
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  magicOf,
  type RawEntry,
} from './key-group-file-format.js';
import {
  checkHeader,
  failureOf,
  hex,
  type OpenedKeyGroupFile,
  openKeyGroupFile,
  type Tail,
} from './key-group-file-index.js';
import type { RandomAccessFile } from './random-access-file.js';
import { decodeSubBlockTables, type SubBlock, subBlockOfKey } from './sub-blocks.js';

/** Bytes of a file and where they start (in the raw stream, for a compressed file). */
interface RawPiece {
  readonly bytes: Uint8Array;
  readonly start: number;
}

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
  /** The end of the file read when opening it: blocks in it are not read again. */
  readonly #tail: Tail;
  /** The sub-blocks of the blocks split into them (see `sub-blocks.ts`), by key group. */
  readonly #subBlocks: ReadonlyMap<number, readonly SubBlock[]>;

  private constructor(file: RandomAccessFile, kind: KeyGroupFileKind, index: OpenedKeyGroupFile) {
    this.#tail = index.tail;
    this.#subBlocks =
      kind === 'data'
        ? decodeSubBlockTables(index.properties, index.blocks, failureOf(file, kind))
        : new Map();
    this.frames = index.frames;
    const raw: number[] = [];
    const stored: number[] = [];
    let rawAt = HEADER_LENGTH;
    let storedAt = HEADER_LENGTH;
    for (const frame of index.frames) {
      raw.push(rawAt);
      stored.push(storedAt);
      rawAt += frame.rawLength;
      storedAt += frame.storedLength;
    }
    this.#frameStarts = { raw, stored };
    this.file = file;
    this.kind = kind;
    this.version = index.version;
    this.flags = index.flags;
    this.properties = index.properties;
    this.stateNames = index.stateNames;
    this.blocks = index.blocks;
  }

  /** Reads and verifies the trailer and index of `file`. */
  static async open(file: RandomAccessFile, kind: KeyGroupFileKind): Promise<KeyGroupFileReader> {
    return new KeyGroupFileReader(file, kind, await openKeyGroupFile(file, kind));
  }

  /** The sub-blocks of `keyGroup`'s block, when it is split into them (see `sub-blocks.ts`). */
  subBlocksOf(keyGroup: number): readonly SubBlock[] | undefined {
    return this.#subBlocks.get(keyGroup);
  }

  /**
   * Reads sub-block `index` of `keyGroup`'s block alone (a compressed file decompresses the frame
   * holding it), checked like a block (checksum, structure), and that each of its keys belongs
   * in it. Its bytes are a block of its entries.
   */
  async readSubBlock(keyGroup: number, index: number): Promise<Uint8Array> {
    const subBlocks = this.#subBlocks.get(keyGroup);
    const sub = subBlocks?.[index];
    const block = this.blocksIn(keyGroup, keyGroup)[0];
    if (subBlocks === undefined || sub === undefined || block === undefined) {
      return this.#fail(`key group ${keyGroup} has no sub-block ${index}; this is a bug`);
    }
    if (sub.entries === 0) return new Uint8Array(0);
    const what = `sub-block ${index} of key group ${keyGroup}`;
    const from = block.offset + sub.offset;
    const to = from + sub.length;
    const pieces = this.isCompressed
      ? await this.#readFrames(from, to, what)
      : [await this.#readStored(from, to, what)];
    const piece = pieces.find((p) => p.start <= from && from < p.start + p.bytes.length);
    const at = piece === undefined ? -1 : from - piece.start;
    if (piece === undefined || at + sub.length > piece.bytes.length) {
      return this.#fail(`${what} is not within one frame`);
    }
    const bytes = piece.bytes.subarray(at, at + sub.length);
    const checked: KeyGroupBlock = {
      keyGroup,
      offset: from,
      length: sub.length,
      entries: sub.entries,
      crc: sub.crc,
    };
    this.#verifyBlock(bytes, checked, (keyStart, keyLength) => {
      if (subBlockOfKey(bytes, keyStart, keyLength, subBlocks.length) !== index)
        this.#fail(`${what} holds a key of another sub-block`);
    });
    return bytes;
  }

  /**
   * The sub-blocks of a block read and verified whole (`bytes`, of `keyGroup`), as views of it,
   * each checked to hold exactly its entries; undefined when the block is not split.
   */
  subBlockViews(keyGroup: number, bytes: Uint8Array): { bytes: Uint8Array; entries: number }[] | undefined {
    const subBlocks = this.#subBlocks.get(keyGroup);
    if (subBlocks === undefined) return undefined;
    return subBlocks.map((sub) => {
      const view = bytes.subarray(sub.offset, sub.offset + sub.length);
      this.#verifyStructure(view, keyGroup, sub.entries);
      return { bytes: view, entries: sub.entries };
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
        ? await this.#readFrames(first.offset, end, what)
        : [await this.#readStored(first.offset, end, what)];
      let index = 0;
      for (const block of run) {
        let piece = pieces[index] as RawPiece;
        while (block.offset >= piece.start + piece.bytes.length && index < pieces.length - 1) {
          piece = pieces[++index] as RawPiece;
        }
        const from = block.offset - piece.start;
        if (from < 0 || from + block.length > piece.bytes.length) {
          this.#fail(`the block of key group ${block.keyGroup} is not within one frame`);
        }
        const blockBytes = piece.bytes.subarray(from, from + block.length);
        this.#verifyBlock(blockBytes, block);
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
  async #readStored(from: number, to: number, what: string): Promise<RawPiece> {
    const start = from === HEADER_LENGTH ? 0 : from;
    const length = to - start;
    const tail = this.#tail;
    const bytes =
      start >= tail.start
        ? tail.bytes.subarray(start - tail.start, start - tail.start + length)
        : await this.file.read(start, length);
    if (bytes.length !== length) this.#fail(`${what} are cut off (truncated file)`);
    if (start === 0)
      checkHeader(bytes, magicOf(this.kind), this.version, this.flags, (reason) => this.#fail(reason));
    return { bytes, start };
  }

  /**
   * Raw bytes `from` to `to` of a compressed file, frame by frame: the frames holding them, read
   * at once, each checked against its checksum before it is decompressed.
   */
  async #readFrames(from: number, to: number, what: string): Promise<RawPiece[]> {
    const starts = this.#frameStarts;
    const first = lastAtOrBefore(starts.raw, from);
    const last = lastAtOrBefore(starts.raw, to - 1);
    const lastFrame = this.frames[last] as KeyGroupFrame;
    const storedFrom = starts.stored[first] as number;
    const stored = await this.#readStored(
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
        this.#fail(`checksum of frame ${i} is ${hex(actual)}, expected ${hex(frame.crc)}`);
      const start = starts.raw[i] as number;
      pieces.push(
        decodeFrame(frame.codec, bytes, frame.rawLength).then((raw) =>
          typeof raw === 'string' ? this.#fail(`frame ${i}: ${raw}`) : { bytes: raw, start },
        ),
      );
    }
    return Promise.all(pieces);
  }

  /**
   * Checks a block's checksum and that its entries parse to exactly its end, reading nothing out
   * (`onKey` sees where each key is).
   */
  #verifyBlock(
    bytes: Uint8Array,
    block: KeyGroupBlock,
    onKey?: (keyStart: number, keyLength: number) => void,
  ): void {
    const actual = crc32(bytes);
    if (actual !== block.crc) {
      this.#fail(`checksum of key group ${block.keyGroup} is ${hex(actual)}, expected ${hex(block.crc)}`);
    }
    this.#verifyStructure(bytes, block.keyGroup, block.entries, onKey);
  }

  /** Checks that `entries` entries parse to exactly the end of `bytes`. */
  #verifyStructure(
    bytes: Uint8Array,
    keyGroup: number,
    entries: number,
    onKey?: (keyStart: number, keyLength: number) => void,
  ): void {
    const fail = (reason: string): never => this.#fail(`key group ${keyGroup}: ${reason}`);
    const reader = new ByteReader(bytes, fail);
    const stateCount = this.stateNames.length;
    const known = this.isDelta ? ENTRY_KNOWN_FLAGS | ENTRY_IS_TOMBSTONE : ENTRY_KNOWN_FLAGS;
    for (let i = 0; i < entries; i++) {
      const flags = reader.readU8('entry flags');
      if ((flags & ~known) !== 0) fail(`entry ${i} has unknown flags ${hex(flags)}`);
      if (flags & ENTRY_IS_TOMBSTONE && flags !== ENTRY_IS_TOMBSTONE)
        fail(`entry ${i} is a tombstone with other flags ${hex(flags)}`);
      const stateIndex = reader.readVarUint('state index');
      if (stateIndex >= stateCount) fail(`entry ${i} refers to state ${stateIndex} of ${stateCount}`);
      if (onKey === undefined) reader.skipLengthPrefixed('key');
      else {
        const keyLength = reader.readVarUint('key length');
        if (keyLength > reader.remaining) fail(`entry ${i} runs past the end of the block`);
        onKey(reader.position, keyLength);
        reader.position += keyLength;
      }
      reader.skipLengthPrefixed('namespace');
      if (flags & ENTRY_IS_TOMBSTONE) continue;
      if (flags & ENTRY_HAS_USER_KEY) reader.skipLengthPrefixed('user key');
      reader.skipLengthPrefixed('value');
      if (flags & ENTRY_HAS_TTL) reader.position += 8;
      if (reader.remaining < 0) fail(`entry ${i} runs past the end of the block`);
    }
    if (!reader.atEnd) fail(`${reader.remaining} bytes follow the last of its ${entries} entries`);
  }

  #fail(reason: string): never {
    return failureOf(this.file, this.kind)(reason);
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
