import { KeyGroupArgumentError, StateBackendError } from '../../errors.js';
import type { DirectEncoding } from '../../serialization/direct-encoding.js';
import type { JsonValue } from '../json.js';
import type { ByteWriter } from './byte-writer.js';
import { ChecksummedChunk } from './checksummed-chunk.js';
import type { ChunkPool } from './chunk-pool.js';
import { chunkSealer } from './chunk-sealer.js';
import type { Sealed } from './chunk-sealing.js';
import { ChunkedOutput } from './chunked-output.js';
import { crc32 } from './crc32.js';
import { crc32Combine } from './crc32-combine.js';
import {
  MAX_VARUINT_LENGTH,
  putLatin1LengthPrefixed,
  putLengthPrefixed,
  putU64,
  putVarUint,
} from './direct-bytes.js';
import { requireZstd } from './frame-codec.js';
import { FrameSequence, type PendingBlock, type TakenChunk } from './frame-sequence.js';
import {
  COMPRESSED_FILE_VERSION,
  DELTA_FILE_VERSION,
  ENTRY_HAS_TTL,
  ENTRY_HAS_USER_KEY,
  ENTRY_IS_TOMBSTONE,
  FILE_IS_COMPRESSED,
  FILE_IS_DELTA,
  KEY_GROUP_FILE_VERSION,
  type KeyGroupBlock,
  type KeyGroupFileKind,
  type KeyGroupFrame,
  magicOf,
  type SnapshotCompression,
} from './key-group-file-format.js';
import { BlockSplitter, type SubBlock, subBlockCountFor, subBlockProperties } from './sub-blocks.js';

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
  /**
   * Split the blocks of large key groups into sub-blocks by key (see `sub-blocks.ts`), so that a
   * lazy restore can load one key's cells first. Full data files without properties only;
   * default true for them.
   */
  readonly subBlocks?: boolean;
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
/** Room beyond the chunk size in a chunk's buffer; a larger key group grows it (see `ByteWriter`). */
const CHUNK_SLACK = 256 * 1024;

/**
 * Encodes a key-group file (see `key-group-file-format.ts`) into a stream of chunks.
 *
 * Call {@link beginKeyGroup} in ascending key-group order, {@link writeEntry} for each entry,
 * {@link endKeyGroup}; after each key group, {@link takeChunk} returns the bytes so far once they
 * reach the chunk size. {@link finish} appends the index and trailer and returns the last chunk.
 *
 * Every chunk carries its CRC-32 (a {@link ChecksummedChunk}), so storage need not checksum the
 * bytes again.
 *
 * Chunks can be sealed elsewhere (checksummed, and compressed in a compressed file: see
 * `chunk-sealing.ts`) while encoding goes on: {@link takeChunkToSeal} instead of
 * {@link takeChunk}, then {@link completeSealed} in order.
 */
export class KeyGroupFileWriter {
  readonly #output: ChunkedOutput;
  readonly #out: ByteWriter;
  readonly #options: KeyGroupFileWriterOptions;
  readonly #chunkSize: number;
  readonly #blocks: PendingBlock[] = [];
  /** The first block not in a chunk taken yet. */
  #blocksTaken = 0;
  #currentKeyGroup = -1;
  #blockStart = 0;
  #blockEntries = 0;
  #lastKeyGroup = -1;
  #entryCount = 0;
  #finished = false;
  readonly #version: number;
  readonly #flags: number;
  readonly #compressed: boolean;
  /** The chunks taken and not handed out yet; the frames of a compressed file. */
  readonly #chunks: FrameSequence;
  /** Splits large blocks into sub-blocks; undefined when blocks are not split. */
  readonly #splitter: BlockSplitter | undefined;
  /** The sub-blocks of each split block, by key group. */
  readonly #subBlocks = new Map<number, readonly SubBlock[]>();

  constructor(options: KeyGroupFileWriterOptions) {
    if (options.delta === true && options.kind !== 'data') {
      throw new StateBackendError('Only checkpoint data files can be delta files, not savepoints.');
    }
    const compressed = options.compression === 'zstd';
    if (compressed && options.kind !== 'data') {
      throw new StateBackendError('Only checkpoint data files can be compressed; savepoints are canonical.');
    }
    this.#options = options;
    if (compressed) requireZstd('write a compressed checkpoint file');
    this.#compressed = compressed;
    this.#version = compressed
      ? COMPRESSED_FILE_VERSION
      : options.delta === true
        ? DELTA_FILE_VERSION
        : KEY_GROUP_FILE_VERSION;
    this.#flags = (options.delta === true ? FILE_IS_DELTA : 0) | (compressed ? FILE_IS_COMPRESSED : 0);
    this.#chunkSize = options.chunkSize ?? 1024 * 1024;
    // The table goes into the properties: a file that has its own keeps its blocks whole.
    const split =
      options.kind === 'data' &&
      options.delta !== true &&
      options.subBlocks !== false &&
      options.properties === undefined;
    this.#splitter = split ? new BlockSplitter() : undefined;
    // A chunk is taken after the key group that reaches the chunk size: room for the chunk and a
    // typical key group beyond it. Twice the chunk size left half of each chunk's buffer unused,
    // and V8 counts whole buffers as external memory: full garbage collections came that much sooner.
    this.#output = new ChunkedOutput(this.#chunkSize + CHUNK_SLACK, options.chunkPool);
    this.#out = this.#output.out;
    this.#chunks = new FrameSequence(this.#output, options.chunkPool, compressed, chunkSealer.newFile());
    this.#out.writeBytes(magicOf(options.kind));
    this.#out.writeU16(this.#version);
    this.#out.writeU16(this.#flags);
  }

  /** Bytes of the file so far: chunks taken, and what waits to be one (before compression). */
  get size(): number {
    return this.#output.storedLength + this.#chunks.inFlightLength + this.#out.pendingLength;
  }

  get entries(): number {
    return this.#entryCount;
  }

  beginKeyGroup(keyGroup: number): void {
    if (this.#currentKeyGroup !== -1 || keyGroup <= this.#lastKeyGroup) {
      throw new KeyGroupArgumentError(
        'keyGroup',
        String(keyGroup),
        `a key group above ${this.#lastKeyGroup}, after the previous one ended`,
      );
    }
    this.#currentKeyGroup = keyGroup;
    this.#blockStart = this.#out.pendingLength;
    this.#blockEntries = 0;
    this.#splitter?.begin();
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
    const out = this.#out;
    this.#splitter?.entryOfKey(out.pendingLength - this.#blockStart, key);
    out.writeU8(
      (userKey === undefined ? 0 : ENTRY_HAS_USER_KEY) | (ttlTimestamp === undefined ? 0 : ENTRY_HAS_TTL),
    );
    out.writeVarUint(stateIndex);
    out.writeLengthPrefixed(key);
    out.writeLengthPrefixed(namespace);
    if (userKey !== undefined) out.writeLengthPrefixed(userKey);
    out.writeLengthPrefixed(value);
    if (ttlTimestamp !== undefined) out.writeU64(ttlTimestamp);
    this.#blockEntries++;
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
    // One bounds check for the whole entry, then direct writes (the entry is what a snapshot
    // writes a million times).
    const out = this.#out;
    const room =
      1 +
      4 * MAX_VARUINT_LENGTH +
      keyId.length +
      namespaceId.length +
      (userKeyId === undefined ? 0 : userKeyId.length) +
      value.length +
      8;
    const buffer = out.reserve(room);
    let p = out.pendingLength;
    const offset = p - this.#blockStart;
    buffer[p++] =
      (userKeyId === undefined ? 0 : ENTRY_HAS_USER_KEY) | (ttlTimestamp === undefined ? 0 : ENTRY_HAS_TTL);
    p = putVarUint(buffer, p, stateIndex);
    const splitter = this.#splitter;
    p =
      splitter === undefined
        ? putLatin1LengthPrefixed(buffer, p, keyId)
        : splitter.putKey(buffer, p, keyId, offset);
    p = putLatin1LengthPrefixed(buffer, p, namespaceId);
    if (userKeyId !== undefined) p = putLatin1LengthPrefixed(buffer, p, userKeyId);
    p = putLengthPrefixed(buffer, p, value);
    if (ttlTimestamp !== undefined) p = putU64(buffer, p, ttlTimestamp);
    out.advance(p);
    this.#blockEntries++;
  }

  /**
   * {@link writeEntryWithIds} with the value written by its serializer's direct encoding, straight
   * into the file's buffer (see `DirectEncoding`): the same bytes, without an array per value.
   */
  writeEntryWithIdsDirect<T>(
    stateIndex: number,
    keyId: string,
    namespaceId: string,
    userKeyId: string | undefined,
    value: T,
    encoding: DirectEncoding<T>,
    ttlTimestamp: number | undefined,
  ): void {
    const out = this.#out;
    const room =
      1 +
      3 * MAX_VARUINT_LENGTH +
      keyId.length +
      namespaceId.length +
      (userKeyId === undefined ? 0 : userKeyId.length) +
      encoding.maxLength(value) +
      8;
    const buffer = out.reserve(room);
    let p = out.pendingLength;
    const offset = p - this.#blockStart;
    buffer[p++] =
      (userKeyId === undefined ? 0 : ENTRY_HAS_USER_KEY) | (ttlTimestamp === undefined ? 0 : ENTRY_HAS_TTL);
    p = putVarUint(buffer, p, stateIndex);
    const splitter = this.#splitter;
    p =
      splitter === undefined
        ? putLatin1LengthPrefixed(buffer, p, keyId)
        : splitter.putKey(buffer, p, keyId, offset);
    p = putLatin1LengthPrefixed(buffer, p, namespaceId);
    if (userKeyId !== undefined) p = putLatin1LengthPrefixed(buffer, p, userKeyId);
    p = encoding.put(value, buffer, p);
    if (ttlTimestamp !== undefined) p = putU64(buffer, p, ttlTimestamp);
    out.advance(p);
    this.#blockEntries++;
  }

  /**
   * {@link writeEntryWithIdsDirect} for the cells `from` to `to` of a state without namespace or
   * TTL: `keyIds[i]` and `values[i]` are a cell's key id and value. One call for many cells, the
   * form a snapshot of the most common states takes.
   */
  writeValueEntriesDirect<T>(
    stateIndex: number,
    keyIds: readonly string[],
    values: readonly T[],
    from: number,
    to: number,
    encoding: DirectEncoding<T>,
  ): void {
    const out = this.#out;
    const splitter = this.#splitter;
    const blockStart = this.#blockStart;
    for (let i = from; i < to; i++) {
      const keyId = keyIds[i] as string;
      const value = values[i] as T;
      const buffer = out.reserve(2 + 2 * MAX_VARUINT_LENGTH + keyId.length + encoding.maxLength(value));
      let p = out.pendingLength;
      const offset = p - blockStart;
      buffer[p++] = 0;
      p = putVarUint(buffer, p, stateIndex);
      p =
        splitter === undefined
          ? putLatin1LengthPrefixed(buffer, p, keyId)
          : splitter.putKey(buffer, p, keyId, offset);
      buffer[p++] = 0; // no namespace
      out.advance(encoding.put(value, buffer, p));
    }
    this.#blockEntries += to - from;
  }

  /**
   * A tombstone (delta files only): the cell of state `stateIndex` under this key and namespace
   * (ids, as in {@link writeEntryWithIds}) was removed since the earlier files.
   */
  writeTombstoneWithIds(stateIndex: number, keyId: string, namespaceId: string): void {
    if ((this.#flags & FILE_IS_DELTA) === 0) {
      throw new StateBackendError('A tombstone can only be written to a delta file.');
    }
    const out = this.#out;
    this.#splitter?.entryOfKeyId(out.pendingLength - this.#blockStart, keyId);
    out.writeU8(ENTRY_IS_TOMBSTONE);
    out.writeVarUint(stateIndex);
    out.writeLatin1LengthPrefixed(keyId);
    out.writeLatin1LengthPrefixed(namespaceId);
    this.#blockEntries++;
  }

  /** Closes the current key group; a key group without entries leaves no block. */
  endKeyGroup(): void {
    const steps = this.endKeyGroupInSlices();
    while (steps.next().done !== true);
  }

  /**
   * {@link endKeyGroup} in steps of bounded size: splitting a large block into sub-blocks moves
   * every entry, which for a key group of megabytes would otherwise be one long synchronous
   * stretch. Nothing may be written to the file until the iterator is done.
   */
  *endKeyGroupInSlices(): Generator<void, void> {
    const keyGroup = this.#currentKeyGroup;
    this.#currentKeyGroup = -1;
    this.#lastKeyGroup = keyGroup;
    if (this.#blockEntries === 0) return;
    const length = this.#out.pendingLength - this.#blockStart;
    const offset = this.#out.totalLength - length;
    const subBlockCount = this.#splitter === undefined ? 1 : subBlockCountFor(length);
    if (subBlockCount > 1) {
      const splitter = this.#splitter as BlockSplitter;
      const blockStart = this.#blockStart;
      const subBlocks = yield* splitter.split(
        () => this.#out.peek(blockStart),
        this.#blockEntries,
        subBlockCount,
      );
      this.#subBlocks.set(keyGroup, subBlocks);
    }
    // The checksum comes when the chunk holding the block is sealed.
    this.#blocks.push({ keyGroup, offset, length, entries: this.#blockEntries, crc: 0 });
    this.#entryCount += this.#blockEntries;
  }

  /**
   * The bytes encoded since the last chunk, sealed on this thread, once they reach the chunk size;
   * between key groups only.
   */
  takeChunk(): ChecksummedChunk | undefined {
    const taken = this.takeChunkToSeal();
    return taken && this.completeSealed(taken, chunkSealer.sealHere(taken.request));
  }

  /**
   * The next chunk, raw, to be sealed (see `chunk-sealing.ts`, `ChunkSealer`) and given to
   * {@link completeSealed}: once the bytes since the last chunk reach the chunk size, between key
   * groups; with `last`, whatever is left (call it before {@link finish}, and complete every
   * chunk taken first).
   */
  takeChunkToSeal(last = false): TakenChunk | undefined {
    if (!last && !this.#chunkDue()) return undefined;
    const taken = this.#chunks.take(this.#blocks, this.#blocksTaken, last);
    if (taken !== undefined) this.#blocksTaken = this.#blocks.length;
    return taken;
  }

  /** Hands out a chunk {@link takeChunkToSeal} took, sealed as `sealed`; chunks complete in the order taken. */
  completeSealed(taken: TakenChunk, sealed: Sealed): ChecksummedChunk {
    return this.#chunks.complete(taken, sealed, this.#blocks);
  }

  #chunkDue(): boolean {
    return this.#currentKeyGroup === -1 && this.#out.pendingLength >= this.#chunkSize;
  }

  /** Appends the index and trailer; returns the last chunk. */
  finish(): ChecksummedChunk {
    if (this.#currentKeyGroup !== -1) this.endKeyGroup();
    this.#finished = true;
    // The blocks left are sealed here, for the index needs their checksums: a compressed file's
    // last frame, or the blocks of an uncompressed one, checksummed where they are.
    let lastFrame: ChecksummedChunk | undefined;
    let restCrc = 0;
    if (this.#compressed) {
      const rest = this.takeChunkToSeal(true);
      lastFrame = rest && this.completeSealed(rest, chunkSealer.sealHere(rest.request));
    } else {
      restCrc = this.#chunks.sealInPlace(this.#blocks, this.#blocksTaken);
      this.#blocksTaken = this.#blocks.length;
    }
    this.#chunks.checkAllComplete();
    const out = this.#out;
    const restLength = out.pendingLength;
    const indexOffset = this.#output.storedLength + out.pendingLength;
    const indexStart = out.pendingLength;
    const properties =
      this.#subBlocks.size > 0 ? subBlockProperties(this.#subBlocks) : this.#options.properties;
    out.writeLengthPrefixed(
      properties === undefined ? new Uint8Array(0) : textEncoder.encode(JSON.stringify(properties)),
    );
    out.writeVarUint(this.#options.stateNames.length);
    for (const name of this.#options.stateNames) out.writeLengthPrefixed(textEncoder.encode(name));
    out.writeVarUint(this.#blocks.length);
    for (const block of this.#blocks) {
      out.writeVarUint(block.keyGroup);
      out.writeVarUint(block.offset);
      out.writeVarUint(block.length);
      out.writeVarUint(block.entries);
      out.writeU32(block.crc);
    }
    if (this.#compressed) {
      out.writeVarUint(this.#chunks.frames.length);
      for (const frame of this.#chunks.frames) {
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
    out.writeU16(this.#version);
    out.writeU16(this.#flags);
    out.writeBytes(magicOf(this.#options.kind));
    const bytes = this.#output.takeRaw();
    const tail = bytes.subarray(restLength);
    const last = this.#output.handOut(bytes, crc32Combine(restCrc, crc32(tail), tail.length));
    if (lastFrame === undefined) return last;
    return new ChecksummedChunk(
      concat(lastFrame, last),
      crc32Combine(lastFrame.crc32, last.crc32, last.length),
    );
  }

  /** Size, checksum and blocks of the finished file. */
  summary(): KeyGroupFileSummary {
    if (!this.#finished)
      throw new StateBackendError('KeyGroupFileWriter.summary() was called before finish()');
    return {
      size: this.#output.storedLength,
      crc32: this.#output.fileCrc,
      entries: this.#entryCount,
      blocks: this.#blocks,
      frames: this.#chunks.frames,
    };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
