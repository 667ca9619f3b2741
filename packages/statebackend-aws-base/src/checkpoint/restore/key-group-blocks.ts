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
}

/** A source that can open its blocks for a lazy restore (checkpoints can; savepoints restore eagerly). */
export interface LazilyReadableSource {
  openBlocks(range: KeyGroupRange): Promise<KeyGroupBlocks>;
}

export function isLazilyReadable(source: object): source is LazilyReadableSource {
  return typeof (source as Partial<LazilyReadableSource>).openBlocks === 'function';
}
