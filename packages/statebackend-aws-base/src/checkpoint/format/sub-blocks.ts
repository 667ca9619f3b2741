import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { crc32 } from './crc32.js';
import { ENTRY_HAS_TTL, ENTRY_HAS_USER_KEY, ENTRY_IS_TOMBSTONE } from './key-group-file-format.js';

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
 * milliseconds, and splitting costs the checkpoint about as much again as encoding the block, so
 * a state of small key groups (1M entries over 128 key groups: 124 KiB each) pays nothing.
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
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ (key[i] as number), 0x01000193);
  return (fmix32(h) >>> 0) % count;
}

/** {@link subBlockOfKey} of the bytes an id stands for (one character, 0-255, per byte). */
export function subBlockOfKeyId(keyId: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < keyId.length; i++) h = Math.imul(h ^ keyId.charCodeAt(i), 0x01000193);
  return (fmix32(h) >>> 0) % count;
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

/** The varuint at `p` of bytes the writer just wrote, and where it ends. */
function varUintAt(bytes: Uint8Array, p: number): { value: number; next: number } {
  let value = 0;
  let multiplier = 1;
  let at = p;
  for (;;) {
    const byte = bytes[at++] as number;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return { value, next: at };
    multiplier *= 0x80;
  }
}

/** The position after the length-prefixed field at `p`. */
function skipField(bytes: Uint8Array, p: number): number {
  const length = bytes[p] as number;
  if (length < 0x80) return p + 1 + length;
  const { value, next } = varUintAt(bytes, p);
  return next + value;
}

/** Scratch space of {@link splitBlock}, reused from block to block. */
export class SubBlockScratch {
  starts = new Uint32Array(0);
  buckets = new Uint16Array(0);
  copy = new Uint8Array(0);

  ensure(entries: number, bytes: number): void {
    if (this.starts.length < entries + 1) {
      this.starts = new Uint32Array(Math.max(entries + 1, this.starts.length * 2));
      this.buckets = new Uint16Array(this.starts.length);
    }
    if (this.copy.length < bytes) this.copy = new Uint8Array(Math.max(bytes, this.copy.length * 2));
  }
}

/**
 * Reorders the `entries` entries of `block` (in place) into `count` sub-blocks by their keys'
 * {@link subBlockOfKey}, keeping the order of entries within a sub-block (a list's elements stay
 * in order), and returns the sub-blocks.
 */
export function splitBlock(
  block: Uint8Array,
  entries: number,
  count: number,
  scratch: SubBlockScratch,
): SubBlock[] {
  scratch.ensure(entries, block.length);
  const { starts, buckets, copy } = scratch;
  const sizes = new Int32Array(count);
  const counts = new Int32Array(count);
  let p = 0;
  for (let i = 0; i < entries; i++) {
    const start = p;
    const flags = block[p++] as number;
    if ((block[p] as number) < 0x80) p++;
    else p = varUintAt(block, p).next; // the state index
    let keyLength = block[p] as number;
    if (keyLength < 0x80) p++;
    else ({ value: keyLength, next: p } = varUintAt(block, p));
    const bucket = subBlockOfKey(block, p, keyLength, count);
    p = skipField(block, p + keyLength); // the namespace
    if ((flags & ENTRY_IS_TOMBSTONE) === 0) {
      if (flags & ENTRY_HAS_USER_KEY) p = skipField(block, p);
      p = skipField(block, p);
      if (flags & ENTRY_HAS_TTL) p += 8;
    }
    const end = p;
    p = start;
    starts[i] = p;
    buckets[i] = bucket;
    sizes[bucket] = (sizes[bucket] as number) + (end - p);
    counts[bucket] = (counts[bucket] as number) + 1;
    p = end;
  }
  starts[entries] = p;
  const at = new Int32Array(count);
  let offset = 0;
  for (let b = 0; b < count; b++) {
    at[b] = offset;
    offset += sizes[b] as number;
  }
  for (let i = 0; i < entries; i++) {
    const bucket = buckets[i] as number;
    const from = starts[i] as number;
    const length = (starts[i + 1] as number) - from;
    const to = at[bucket] as number;
    // Entries are mostly a few dozen bytes: a loop beats a view and `set()` for those.
    if (length < 64) for (let j = 0; j < length; j++) copy[to + j] = block[from + j] as number;
    else copy.set(block.subarray(from, from + length), to);
    at[bucket] = to + length;
  }
  block.set(copy.subarray(0, block.length));
  const subBlocks: SubBlock[] = [];
  offset = 0;
  for (let b = 0; b < count; b++) {
    const length = sizes[b] as number;
    subBlocks.push({
      offset,
      length,
      entries: counts[b] as number,
      crc: length === 0 ? 0 : crc32(block.subarray(offset, offset + length)),
    });
    offset += length;
  }
  return subBlocks;
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
