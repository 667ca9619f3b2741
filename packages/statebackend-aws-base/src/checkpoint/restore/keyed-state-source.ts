import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { RawEntry } from '../format/key-group-file-format.js';
import type { JsonValue } from '../json.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';

/** The caller's metadata stored with the part of a checkpoint that held `keyGroupRange`. */
export interface RestoredUserMetadata {
  readonly keyGroupRange: KeyGroupRange;
  readonly metadata: JsonValue | undefined;
}

/** A block of entries of one key group, already verified (checksum and structure). */
export interface VerifiedBlock {
  readonly keyGroup: number;
  /** Decode with `decodeVerifiedBlock`; never changed, keep it as long as needed. */
  readonly bytes: Uint8Array;
  readonly entries: number;
  /** The state of each entry, by the entry's `stateIndex`. */
  readonly states: readonly CheckpointedState[];
}

/**
 * Serialized keyed state to restore from: a checkpoint or a canonical savepoint. A backend
 * restores from it without knowing which, which is what lets a job move between backends.
 */
export interface KeyedStateSource {
  /** Where the state comes from, for messages, e.g. `checkpoint 7 under file:///ckpt/job/op`. */
  readonly description: string;
  /** The checkpoint id restored, or undefined for a savepoint. */
  readonly checkpointId: number | undefined;
  readonly maxParallelism: number;
  /** Every state the source holds, with the serializers and TTL it was written with. */
  readonly states: readonly CheckpointedState[];
  /**
   * The caller's metadata (for example a source position) of each part the restored range was
   * read from: one element when the range was checkpointed by one writer.
   */
  readonly userMetadata: readonly RestoredUserMetadata[];
  /**
   * Calls `visit` for every entry of the key groups of `range` (and only those), reading only
   * the files and blocks that hold them. The entry is reused between calls: copy what you keep.
   * Rejects with a typed error on the first corrupt block, before handing out any of its entries.
   */
  forEachEntry(
    range: KeyGroupRange,
    visit: (keyGroup: number, state: CheckpointedState, entry: RawEntry) => void,
  ): Promise<void>;
  /**
   * Like {@link forEachEntry}, a verified block at a time: what a restore keeps to decode later,
   * without copying entries.
   */
  forEachBlock(range: KeyGroupRange, visit: (block: VerifiedBlock) => void): Promise<void>;
}
