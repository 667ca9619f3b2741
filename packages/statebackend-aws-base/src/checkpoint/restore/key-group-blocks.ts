import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { VerifiedBlock } from './keyed-state-source.js';

/**
 * The blocks of a restored key-group range, opened but not read: every data file's trailer and
 * index are read and checked, no entry is. A lazy restore reads key groups through it on demand,
 * each with ranged reads of its blocks only.
 */
export interface KeyGroupBlocks {
  /** The key groups of the range that hold entries (or deltas), ascending. */
  readonly keyGroups: readonly number[];
  /** Entries in the blocks of the range, as the indexes count them (a delta chain counts every block). */
  readonly entries: number;
  /** Bytes stored for `keyGroup` across its files (what reading it costs). */
  bytesOf(keyGroup: number): number;
  /**
   * Reads, verifies and resolves the key groups of `range` (adjacent blocks of a file in one
   * read): one block per key group that holds entries, ascending. Rejects with a typed error
   * (`CorruptCheckpointError`, `CheckpointStorageError`) when any of it cannot be read.
   */
  read(range: KeyGroupRange): Promise<VerifiedBlock[]>;
  /**
   * (Optional, as the next two: sources without sub-blocks leave them out.)
   * In how many sub-blocks `keyGroup` can be read (see `sub-blocks.ts`: each holds the entries of
   * the keys that hash to it); 1 when it is read only whole.
   */
  subBlockCount?(keyGroup: number): number;
  /**
   * Reads and verifies sub-block `index` of `keyGroup` (its keys checked to belong in it): a block
   * of just those entries, empty ones included. Rejects with a typed error as {@link read} does.
   */
  readSubBlock?(keyGroup: number, index: number): Promise<VerifiedBlock>;
  /**
   * The sub-blocks of a block {@link read} returned, as blocks of their own (views of its bytes),
   * by index; undefined when its key group is read only whole. Throws `CorruptCheckpointError`
   * when they do not parse.
   */
  subBlocksOf?(block: VerifiedBlock): VerifiedBlock[] | undefined;
}

/** A source that can open its blocks for a lazy restore (checkpoints can; savepoints restore eagerly). */
export interface LazilyReadableSource {
  openBlocks(range: KeyGroupRange): Promise<KeyGroupBlocks>;
}

export function isLazilyReadable(source: object): source is LazilyReadableSource {
  return typeof (source as Partial<LazilyReadableSource>).openBlocks === 'function';
}
