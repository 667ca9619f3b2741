import { StateBackendError } from '../../errors.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { crc32 } from './crc32.js';
import { putVarUint } from './direct-bytes.js';

/**
 * Sub-blocks: the block of a large key group in a full data file is stored as runs of entries
 * ("sub-blocks"), each holding exactly the entries whose key hashes to it
 * ({@link subBlockOfKey}), so that a lazy restore can load the cells of one key without the
 * rest of its key group. The block stays one valid block (its entries, in sub-block order, with
 * the block's checksum over all of them): readers that do not know sub-blocks read it whole.
 *
 * The sub-block table is stored in the index's properties, which data files otherwise leave
 * empty and every reader of data files ignores: `{"subBlocks":"<base64>"}`, the base64 of
 *
 * ```
 * table = blockCount:varuint (keyGroup:varuint count:varuint (length:varuint entries:varuint crc:u32)*count)*
 * ```
 *
 * key groups ascending, each one whose block has a sub-block table; the sub-blocks of a block
 * follow one another from its first byte to its last, `crc` is the CRC-32 of a sub-block's bytes,
 * and an entry whose key's bytes are `k` is in
 * sub-block `subBlockOfKey(k, count)`. Empty sub-blocks have length and entries 0.
 */

/**
 * Blocks of at least this many bytes are split. Smaller ones are read and decoded whole in a few
 * milliseconds, and splitting moves every entry of the block once more, so a state of small key
 * groups (1M entries over 128 key groups: 124 KiB each) pays only for hashing its keys.
 */
export const SPLIT_FROM_BYTES = 256 * 1024;
/** Split blocks are split into sub-blocks of about this size. */
export const SUB_BLOCK_TARGET_BYTES = 32 * 1024;
/** At most this many sub-blocks per block. */
export const MAX_SUB_BLOCKS = 4096;

/** One sub-block of a block: where it starts in the block, and how to verify it. */
export interface SubBlock {
  /** Offset from the start of its block. */
  readonly offset: number;
  readonly length: number;
  readonly entries: number;
  readonly crc: number;
}

/** The sub-blocks a block of `length` bytes is split into (1: not split). */
export function subBlockCountFor(length: number): number {
  if (length < SPLIT_FROM_BYTES) return 1;
  return Math.min(MAX_SUB_BLOCKS, Math.floor(length / SUB_BLOCK_TARGET_BYTES));
}

/**
 * The sub-block of a key among `count`: FNV-1a over the key's bytes, through murmur3's finalizer
 * (so that keys differing in their last bytes spread), modulo `count`. Part of the format.
 */
export function subBlockOfKey(key: Uint8Array, start: number, length: number, count: number): number {
  return subBlockOfHash(fnv1aOf(key, start, length), count);
}

/** {@link subBlockOfKey} of the bytes an id stands for (one character, 0-255, per byte). */
export function subBlockOfKeyId(keyId: string, count: number): number {
  return subBlockOfHash(fnv1aOfId(keyId), count);
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of bytes: the first half of {@link subBlockOfKey}. */
function fnv1aOf(key: Uint8Array, start: number, length: number): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ (key[i] as number), FNV_PRIME);
  return h;
}

/** {@link fnv1aOf} the bytes an id stands for. */
function fnv1aOfId(keyId: string): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = 0; i < keyId.length; i++) h = Math.imul(h ^ keyId.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The sub-block among `count` of a key whose bytes' FNV-1a is `hash`: the second half. */
function subBlockOfHash(hash: number, count: number): number {
  // (fmix32(hash) >>> 0) % count, in 32-bit integers (count <= 4096): a quarter of the time of
  // the floating-point remainder an unsigned 32-bit value takes.
  const h = fmix32(hash);
  return ((((h >>> 16) % count) << 16) + (h & 0xffff)) % count;
}

function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Entries a step of {@link BlockSplitter.split} handles at most: a few hundred microseconds of
 * hashing or copying, so a writer closing a block of any size gives the event loop a turn often.
 */
const ENTRIES_PER_STEP = 4096;
/** Bytes a step of {@link BlockSplitter.split} copies or checksums at most (besides one entry). */
const BYTES_PER_STEP = 512 * 1024;

/**
 * Splits the blocks of a file into sub-blocks as the writer closes them. The writer tells it where
 * each entry of the block begins and hashes its key as it writes it ({@link putKey},
 * {@link entry}), so splitting needs no walk over the block's entries and no second pass over
 * their keys: it moves the entries to their sub-blocks in one copy and checksums the sub-blocks,
 * in steps of bounded size ({@link split}). Its arrays are reused from block to block.
 */
export class BlockSplitter {
  /** Where each entry of the block begins, from the block's first byte; then where it ends. */
  #starts = new Uint32Array(1024);
  /** FNV-1a of each entry's key (see {@link subBlockOfKey}). */
  #hashes = new Int32Array(1024);
  /** The sub-block of each entry. */
  #buckets = new Uint16Array(1024);
  /** A copy of the block, which entries are moved out of. */
  #copy = new Uint8Array(0);
  #copyView = new DataView(this.#copy.buffer);
  #entries = 0;

  /** A new block begins. */
  begin(): void {
    this.#entries = 0;
  }

  /**
   * An entry of the block begins `offset` bytes after the block's first byte, and the FNV-1a of
   * its key's bytes is `keyHash`.
   */
  entry(offset: number, keyHash: number): void {
    const i = this.#entries++;
    if (i + 1 >= this.#starts.length) this.#grow();
    this.#starts[i] = offset;
    this.#hashes[i] = keyHash;
  }

  /** {@link entry} for an entry whose key is `key`. */
  entryOfKey(offset: number, key: Uint8Array): void {
    this.entry(offset, fnv1aOf(key, 0, key.length));
  }

  /** {@link entry} for an entry whose key's id is `keyId`. */
  entryOfKeyId(offset: number, keyId: string): void {
    this.entry(offset, fnv1aOfId(keyId));
  }

  /**
   * Writes the key of an entry beginning `offset` bytes after the block's first byte (its bytes
   * as `putLatin1LengthPrefixed` writes them) at `p` of `buffer`, hashing it on the way; returns
   * the position after it.
   */
  putKey(buffer: Uint8Array, position: number, keyId: string, offset: number): number {
    const length = keyId.length;
    let p = putVarUint(buffer, position, length);
    let h = FNV_OFFSET_BASIS;
    for (let i = 0; i < length; i++) {
      const byte = keyId.charCodeAt(i);
      buffer[p++] = byte;
      h = Math.imul(h ^ byte, FNV_PRIME);
    }
    this.entry(offset, h);
    return p;
  }

  #grow(): void {
    const starts = new Uint32Array(this.#starts.length * 2);
    starts.set(this.#starts);
    this.#starts = starts;
    const hashes = new Int32Array(starts.length);
    hashes.set(this.#hashes);
    this.#hashes = hashes;
    this.#buckets = new Uint16Array(starts.length);
  }

  /**
   * Reorders the block's entries (in place) into `count` sub-blocks by their keys'
   * {@link subBlockOfKey}, keeping the order of entries within a sub-block (a list's elements stay
   * in order), and returns the sub-blocks. Yields between steps of bounded size; `block` gives
   * the block's bytes, which nothing else writes to until the split is done.
   */
  *split(block: () => Uint8Array, entries: number, count: number): Generator<void, SubBlock[]> {
    if (entries !== this.#entries) {
      throw new StateBackendError(`BlockSplitter: a block of ${entries} entries, ${this.#entries} begun`);
    }
    const starts = this.#starts;
    const hashes = this.#hashes;
    const buckets = this.#buckets;
    const sizes = new Int32Array(count);
    const counts = new Int32Array(count);
    let bytes = block();
    const length = bytes.length;
    starts[entries] = length;
    // The sub-block of each entry, from its key's hash.
    for (let i = 0; i < entries; ) {
      const stepEnd = Math.min(entries, i + 4 * ENTRIES_PER_STEP);
      for (; i < stepEnd; i++) {
        const bucket = subBlockOfHash(hashes[i] as number, count);
        buckets[i] = bucket;
        sizes[bucket] = (sizes[bucket] as number) + ((starts[i + 1] as number) - (starts[i] as number));
        counts[bucket] = (counts[bucket] as number) + 1;
      }
      yield;
      bytes = block();
    }
    if (this.#copy.length < length) {
      this.#copy = new Uint8Array(Math.max(length, this.#copy.length * 2));
      this.#copyView = new DataView(this.#copy.buffer);
    }
    const copy = this.#copy;
    const copyView = this.#copyView;
    for (let from = 0; from < length; from += BYTES_PER_STEP) {
      copy.set(bytes.subarray(from, Math.min(length, from + BYTES_PER_STEP)), from);
      yield;
      bytes = block();
    }
    const at = new Int32Array(count);
    for (let b = 0, offset = 0; b < count; b++) {
      at[b] = offset;
      offset += sizes[b] as number;
    }
    // Each entry from the copy to the next place of its sub-block in the block.
    let view = new DataView(bytes.buffer, bytes.byteOffset, length);
    for (let i = 0; i < entries; ) {
      const stepEnd = Math.min(entries, i + ENTRIES_PER_STEP);
      let moved = 0;
      for (; i < stepEnd && moved < BYTES_PER_STEP; i++) {
        const bucket = buckets[i] as number;
        const from = starts[i] as number;
        const entryLength = (starts[i + 1] as number) - from;
        const to = at[bucket] as number;
        // Entries are mostly a few dozen bytes: four at a time beats a view and `set()` for those
        // (and a loop of single bytes, by half).
        if (entryLength < 64) {
          let j = 0;
          for (; j + 4 <= entryLength; j += 4) view.setUint32(to + j, copyView.getUint32(from + j));
          for (; j < entryLength; j++) bytes[to + j] = copy[from + j] as number;
        } else {
          bytes.set(copy.subarray(from, from + entryLength), to);
        }
        at[bucket] = to + entryLength;
        moved += entryLength;
      }
      yield;
      bytes = block();
      view = new DataView(bytes.buffer, bytes.byteOffset, length);
    }
    const subBlocks: SubBlock[] = [];
    let checksummed = 0;
    for (let b = 0, offset = 0; b < count; b++) {
      const subLength = sizes[b] as number;
      subBlocks.push({
        offset,
        length: subLength,
        entries: counts[b] as number,
        crc: subLength === 0 ? 0 : crc32(bytes.subarray(offset, offset + subLength)),
      });
      offset += subLength;
      checksummed += subLength;
      if (checksummed >= BYTES_PER_STEP && b + 1 < count) {
        checksummed = 0;
        yield;
        bytes = block();
      }
    }
    return subBlocks;
  }
}

/** The properties of a data file whose blocks of `tables` have sub-blocks. */
export function subBlockProperties(tables: ReadonlyMap<number, readonly SubBlock[]>): { subBlocks: string } {
  const out = new ByteWriter(16 * 1024);
  out.writeVarUint(tables.size);
  for (const [keyGroup, subBlocks] of [...tables].sort(([a], [b]) => a - b)) {
    out.writeVarUint(keyGroup);
    out.writeVarUint(subBlocks.length);
    for (const sub of subBlocks) {
      out.writeVarUint(sub.length);
      out.writeVarUint(sub.entries);
      out.writeU32(sub.crc);
    }
  }
  return { subBlocks: Buffer.from(out.peek()).toString('base64') };
}

/**
 * The sub-block tables in a data file's properties, checked against its blocks (each tiles its
 * block exactly, in entries and bytes); an empty map
 * when the properties hold none. `fail` throws the file's corruption error.
 */
export function decodeSubBlockTables(
  properties: unknown,
  blocks: readonly { keyGroup: number; length: number; entries: number; crc: number }[],
  fail: (reason: string) => never,
): Map<number, readonly SubBlock[]> {
  const tables = new Map<number, readonly SubBlock[]>();
  if (typeof properties !== 'object' || properties === null || !('subBlocks' in properties)) return tables;
  const encoded = (properties as { subBlocks: unknown }).subBlocks;
  if (typeof encoded !== 'string') return fail('its sub-block table is not a string');
  const reader = new ByteReader(new Uint8Array(Buffer.from(encoded, 'base64')), fail);
  const byKeyGroup = new Map(blocks.map((block) => [block.keyGroup, block]));
  const tableCount = reader.readVarUint('sub-block table count');
  for (let t = 0; t < tableCount; t++) {
    const keyGroup = reader.readVarUint('key group');
    const block = byKeyGroup.get(keyGroup);
    if (block === undefined || tables.has(keyGroup))
      fail(`its sub-block table names key group ${keyGroup}, which has no block or another table`);
    const count = reader.readVarUint('sub-block count');
    if (count < 1 || count > MAX_SUB_BLOCKS) fail(`key group ${keyGroup} has ${count} sub-blocks`);
    const subBlocks: SubBlock[] = [];
    let offset = 0;
    let entries = 0;
    for (let i = 0; i < count; i++) {
      const length = reader.readVarUint('sub-block length');
      const subEntries = reader.readVarUint('sub-block entries');
      const subCrc = reader.readU32('sub-block checksum');
      if ((length === 0) !== (subEntries === 0)) fail(`sub-block ${i} of key group ${keyGroup} is malformed`);
      subBlocks.push({ offset, length, entries: subEntries, crc: subCrc });
      offset += length;
      entries += subEntries;
    }
    // (Their checksums are checked as each is read alone; combining them here, 32 steps per
    // sub-block, cost tens of milliseconds at open for a file of thousands.)
    const b = block as (typeof blocks)[number];
    if (offset !== b.length || entries !== b.entries) {
      fail(`the sub-blocks of key group ${keyGroup} do not make up its block`);
    }
    tables.set(keyGroup, subBlocks);
  }
  if (!reader.atEnd) fail('bytes follow its sub-block tables');
  return tables;
}
