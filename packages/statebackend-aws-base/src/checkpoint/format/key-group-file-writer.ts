import { KeyGroupArgumentError, StateBackendError } from '../../errors.js';
import type { JsonValue } from '../json.js';
import { ByteWriter } from './byte-writer.js';
import { knownCrc32, rememberCrc32 } from './chunk-checksums.js';
import type { ChunkPool } from './chunk-pool.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';
import { FrameCompressor } from './frame-codec.js';
import {
  COMPRESSED_FILE_VERSION,
  DELTA_FILE_VERSION,
  ENTRY_HAS_TTL,
  ENTRY_HAS_USER_KEY,
  ENTRY_IS_TOMBSTONE,
  FILE_IS_COMPRESSED,
  FILE_IS_DELTA,
  FRAME_STORED,
  HEADER_LENGTH,
  KEY_GROUP_FILE_VERSION,
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  magicOf,
  type SnapshotCompression,
} from './key-group-file-format.js';

/** Options of a {@link KeyGroupFileWriter}. */
export interface KeyGroupFileWriterOptions {
  readonly kind: KeyGroupFileKind;
  /** Names of the states entries refer to by index. */
  readonly stateNames: readonly string[];
  /** JSON stored in the index (the savepoint's metadata); omitted for data files. */
  readonly properties?: JsonValue;
  /** Size at which {@link KeyGroupFileWriter.takeChunk} hands out a chunk. Default 1 MiB. */
  readonly chunkSize?: number;
  /**
   * A delta file (version 2, data files only): changed cells over earlier files, and tombstones
   * ({@link KeyGroupFileWriter.writeTombstoneWithIds}). Default false: a full file (version 1).
   */
  readonly delta?: boolean;
  /**
   * `zstd` (data files only): a compressed file (version 3), each chunk one frame of whole key
   * groups, compressed where that saves an eighth or more. Default `none`.
   */
  readonly compression?: SnapshotCompression;
  /**
   * Where chunk buffers come from. The caller gives each chunk back (`ChunkPool.release`) once
   * nothing reads it any more. Default: fresh buffers.
   */
  readonly chunkPool?: ChunkPool;
}

/** What a finished file holds. */
export interface KeyGroupFileSummary {
  readonly size: number;
  /** CRC-32 of the whole file. */
  readonly crc32: number;
  readonly entries: number;
  readonly blocks: readonly KeyGroupBlock[];
  /** The frames of a compressed file; empty otherwise. */
  readonly frames: readonly KeyGroupFrame[];
}

const textEncoder = new TextEncoder();
/**
 * From this block length up, the file's checksum takes the block's by combining the two rather
 * than running over the block's bytes again; below it the second pass costs less than combining.
 */
const COMBINE_FROM = 16 * 1024;
/** Room beyond the chunk size in a chunk's buffer; a larger key group grows it (see `ByteWriter`). */
const CHUNK_SLACK = 256 * 1024;

/**
 * Encodes a key-group file (see `key-group-file-format.ts`) into a stream of chunks.
 *
 * Call {@link beginKeyGroup} in ascending key-group order, {@link writeEntry} for each entry,
 * {@link endKeyGroup}; after each key group, {@link takeChunk} returns the bytes so far once they
 * reach the chunk size. {@link finish} appends the index and trailer and returns the last chunk.
 *
 * Every chunk's CRC-32 is recorded (`knownCrc32`), computed from its blocks' checksums where they
 * are large enough to combine, so storage need not checksum the bytes again.
 */
export class KeyGroupFileWriter {
  private readonly out: ByteWriter;
  private readonly options: KeyGroupFileWriterOptions;
  private readonly chunkSize: number;
  private readonly blocks: KeyGroupBlock[] = [];
  private currentKeyGroup = -1;
  private blockStart = 0;
  private blockEntries = 0;
  private lastKeyGroup = -1;
  private entryCount = 0;
  /** CRC-32 of the chunks taken so far. */
  private fileCrc = 0;
  /** Bytes of the chunks taken so far: the file's size once finished. */
  private storedLength = 0;
  /** CRC-32 of the bytes written since the last chunk up to the raw position {@link crcThrough}. */
  private pendingCrc = 0;
  private crcThrough = 0;
  private finished = false;
  private readonly version: number;
  private readonly flags: number;
  /** Compresses the frames of a compressed file; undefined for other files. */
  private readonly compressor: FrameCompressor | undefined;
  private readonly frames: KeyGroupFrame[] = [];

  constructor(options: KeyGroupFileWriterOptions) {
    if (options.delta === true && options.kind !== 'data') {
      throw new StateBackendError('Only checkpoint data files can be delta files, not savepoints.');
    }
    const compressed = options.compression === 'zstd';
    if (compressed && options.kind !== 'data') {
      throw new StateBackendError('Only checkpoint data files can be compressed; savepoints are canonical.');
    }
    this.options = options;
    this.compressor = compressed ? new FrameCompressor() : undefined;
    this.version = compressed
      ? COMPRESSED_FILE_VERSION
      : options.delta === true
        ? DELTA_FILE_VERSION
        : KEY_GROUP_FILE_VERSION;
    this.flags = (options.delta === true ? FILE_IS_DELTA : 0) | (compressed ? FILE_IS_COMPRESSED : 0);
    this.chunkSize = options.chunkSize ?? 1024 * 1024;
    // A chunk is taken after the key group that reaches the chunk size: room for the chunk and a
    // typical key group beyond it. Twice the chunk size left half of each chunk's buffer unused,
    // and V8 counts whole buffers as external memory: full garbage collections came that much sooner.
    this.out = new ByteWriter(this.chunkSize + CHUNK_SLACK, options.chunkPool);
    this.out.writeBytes(magicOf(options.kind));
    this.out.writeU16(this.version);
    this.out.writeU16(this.flags);
  }

  /** Bytes of the file so far: chunks taken, and what waits to be one (before compression). */
  get size(): number {
    return this.storedLength + this.out.pendingLength;
  }

  get entries(): number {
    return this.entryCount;
  }

  beginKeyGroup(keyGroup: number): void {
    if (this.currentKeyGroup !== -1 || keyGroup <= this.lastKeyGroup) {
      throw new KeyGroupArgumentError(
        'keyGroup',
        String(keyGroup),
        `a key group above ${this.lastKeyGroup}, after the previous one ended`,
      );
    }
    this.currentKeyGroup = keyGroup;
    this.blockStart = this.out.pendingLength;
    this.blockEntries = 0;
  }

  /** Appends one entry to the current key group. The arrays are copied; reuse them freely. */
  writeEntry(
    stateIndex: number,
    key: Uint8Array,
    namespace: Uint8Array,
    userKey: Uint8Array | undefined,
    value: Uint8Array,
    ttlTimestamp: number | undefined,
  ): void {
    const out = this.out;
    out.writeU8(
      (userKey === undefined ? 0 : ENTRY_HAS_USER_KEY) | (ttlTimestamp === undefined ? 0 : ENTRY_HAS_TTL),
    );
    out.writeVarUint(stateIndex);
    out.writeLengthPrefixed(key);
    out.writeLengthPrefixed(namespace);
    if (userKey !== undefined) out.writeLengthPrefixed(userKey);
    out.writeLengthPrefixed(value);
    if (ttlTimestamp !== undefined) out.writeU64(ttlTimestamp);
    this.blockEntries++;
  }

  /**
   * {@link writeEntry} with the key, namespace and user key as ids: strings with one character
   * (0-255) per byte, the form in-memory tables keep them in.
   */
  writeEntryWithIds(
    stateIndex: number,
    keyId: string,
    namespaceId: string,
    userKeyId: string | undefined,
    value: Uint8Array,
    ttlTimestamp: number | undefined,
  ): void {
    const out = this.out;
    out.writeU8(
      (userKeyId === undefined ? 0 : ENTRY_HAS_USER_KEY) | (ttlTimestamp === undefined ? 0 : ENTRY_HAS_TTL),
    );
    out.writeVarUint(stateIndex);
    out.writeLatin1LengthPrefixed(keyId);
    out.writeLatin1LengthPrefixed(namespaceId);
    if (userKeyId !== undefined) out.writeLatin1LengthPrefixed(userKeyId);
    out.writeLengthPrefixed(value);
    if (ttlTimestamp !== undefined) out.writeU64(ttlTimestamp);
    this.blockEntries++;
  }

  /**
   * A tombstone (delta files only): the cell of state `stateIndex` under this key and namespace
   * (ids, as in {@link writeEntryWithIds}) was removed since the earlier files.
   */
  writeTombstoneWithIds(stateIndex: number, keyId: string, namespaceId: string): void {
    if ((this.flags & FILE_IS_DELTA) === 0) {
      throw new StateBackendError('A tombstone can only be written to a delta file.');
    }
    const out = this.out;
    out.writeU8(ENTRY_IS_TOMBSTONE);
    out.writeVarUint(stateIndex);
    out.writeLatin1LengthPrefixed(keyId);
    out.writeLatin1LengthPrefixed(namespaceId);
    this.blockEntries++;
  }

  /** Closes the current key group; a key group without entries leaves no block. */
  endKeyGroup(): void {
    const keyGroup = this.currentKeyGroup;
    this.currentKeyGroup = -1;
    this.lastKeyGroup = keyGroup;
    if (this.blockEntries === 0) return;
    const bytes = this.out.peek(this.blockStart);
    const offset = this.out.totalLength - bytes.length;
    const crc = crc32(bytes);
    this.blocks.push({ keyGroup, offset, length: bytes.length, entries: this.blockEntries, crc });
    this.entryCount += this.blockEntries;
    if (bytes.length >= COMBINE_FROM) {
      this.extendPendingCrc(offset);
      this.pendingCrc = crc32Combine(this.pendingCrc, crc, bytes.length);
      this.crcThrough = this.out.totalLength;
    }
  }

  /** Extends the checksum of the bytes not yet taken up to `end`, all of them by default. */
  private extendPendingCrc(end = this.out.totalLength): void {
    if (end <= this.crcThrough) return;
    const pendingStart = this.out.totalLength - this.out.pendingLength;
    const from = this.crcThrough - pendingStart;
    this.pendingCrc = crc32(this.out.peek(from).subarray(0, end - this.crcThrough), this.pendingCrc);
    this.crcThrough = end;
  }

  /** The bytes encoded since the last chunk, once they reach the chunk size; between key groups only. */
  takeChunk(): Uint8Array | undefined {
    if (this.currentKeyGroup !== -1 || this.out.pendingLength < this.chunkSize) return undefined;
    return this.compressor === undefined ? this.take() : this.takeFrame();
  }

  /** The bytes written since the last chunk, as they are. */
  private take(): Uint8Array {
    this.extendPendingCrc();
    const chunk = this.out.takeChunk();
    return this.handOut(chunk, this.pendingCrc);
  }

  /**
   * The raw bytes written since the last chunk as one frame of a compressed file, the header
   * before the first. Stored frames are handed out without copying.
   */
  private takeFrame(): Uint8Array {
    const compressor = this.compressor as FrameCompressor;
    const headerLength = this.storedLength === 0 ? HEADER_LENGTH : 0;
    const raw = this.out.peek();
    const payload = raw.subarray(headerLength);
    if (payload.length === 0) return this.take();
    const frame = compressor.encode(payload);
    if (frame.codec === FRAME_STORED) {
      const chunk = this.take();
      // The chunk's checksum covers the header too, where there is one.
      const frameCrc = headerLength === 0 ? (knownCrc32(chunk) as number) : crc32(payload);
      this.frames.push({
        codec: FRAME_STORED,
        rawLength: payload.length,
        storedLength: payload.length,
        crc: frameCrc,
      });
      return chunk;
    }
    const frameCrc = crc32(frame.bytes);
    this.frames.push({
      codec: frame.codec,
      rawLength: payload.length,
      storedLength: frame.bytes.length,
      crc: frameCrc,
    });
    // The raw bytes are compressed elsewhere now: the next frame is written over them.
    if (headerLength === 0) {
      this.out.discardPending();
      return this.handOut(frame.bytes, frameCrc);
    }
    const headerCrc = crc32(raw.subarray(0, headerLength));
    const chunk = concat(raw.subarray(0, headerLength), frame.bytes);
    this.out.discardPending();
    return this.handOut(chunk, crc32Combine(headerCrc, frameCrc, frame.bytes.length));
  }

  private handOut(chunk: Uint8Array, crc: number): Uint8Array {
    this.fileCrc = this.storedLength === 0 ? crc : crc32Combine(this.fileCrc, crc, chunk.length);
    this.storedLength += chunk.length;
    this.pendingCrc = 0;
    this.crcThrough = this.out.totalLength;
    rememberCrc32(chunk, crc);
    return chunk;
  }

  /** Appends the index and trailer; returns the last chunk. */
  finish(): Uint8Array {
    if (this.currentKeyGroup !== -1) this.endKeyGroup();
    this.finished = true;
    const lastFrame = this.compressor === undefined ? undefined : this.takeFrame();
    const out = this.out;
    const indexOffset = this.storedLength + out.pendingLength;
    const indexStart = out.pendingLength;
    const properties = this.options.properties;
    out.writeLengthPrefixed(
      properties === undefined ? new Uint8Array(0) : textEncoder.encode(JSON.stringify(properties)),
    );
    out.writeVarUint(this.options.stateNames.length);
    for (const name of this.options.stateNames) out.writeLengthPrefixed(textEncoder.encode(name));
    out.writeVarUint(this.blocks.length);
    for (const block of this.blocks) {
      out.writeVarUint(block.keyGroup);
      out.writeVarUint(block.offset);
      out.writeVarUint(block.length);
      out.writeVarUint(block.entries);
      out.writeU32(block.crc);
    }
    if (this.compressor !== undefined) {
      out.writeVarUint(this.frames.length);
      for (const frame of this.frames) {
        out.writeU8(frame.codec);
        out.writeVarUint(frame.rawLength);
        out.writeVarUint(frame.storedLength);
        out.writeU32(frame.crc);
      }
    }
    const index = out.peek(indexStart);
    const indexLength = index.length;
    const indexCrc = crc32(index);
    out.writeU64(indexOffset);
    out.writeU32(indexLength);
    out.writeU32(indexCrc);
    out.writeU16(this.version);
    out.writeU16(this.flags);
    out.writeBytes(magicOf(this.options.kind));
    const last = this.take();
    if (lastFrame === undefined) return last;
    const both = concat(lastFrame, last);
    rememberCrc32(
      both,
      crc32Combine(knownCrc32(lastFrame) as number, knownCrc32(last) as number, last.length),
    );
    return both;
  }

  /** Size, checksum and blocks of the finished file. */
  summary(): KeyGroupFileSummary {
    if (!this.finished)
      throw new StateBackendError('KeyGroupFileWriter.summary() was called before finish()');
    return {
      size: this.storedLength,
      crc32: this.fileCrc,
      entries: this.entryCount,
      blocks: this.blocks,
      frames: this.frames,
    };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
