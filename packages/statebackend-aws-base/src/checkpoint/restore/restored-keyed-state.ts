import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { decodeVerifiedBlock } from '../format/block-decoder.js';
import type { RawEntry } from '../format/key-group-file-format.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import type { KeyedStateSource, RestoredUserMetadata, VerifiedBlock } from './keyed-state-source.js';

/** The restored entries of one state, still serialized. */
export interface RestoredStateEntries {
  readonly state: CheckpointedState;
  /**
   * Calls `visit` for each entry of the state, in key group `keyGroup` or in all of them. The
   * entry and its views are reused between calls: copy what you keep.
   */
  forEachEntry(visit: (keyGroup: number, entry: RawEntry) => void, keyGroup?: number): void;
  /**
   * Calls `visit` for each block holding entries of the state, in key group `keyGroup` or in all
   * of them, with the index its entries of this state have (`RawEntry.stateIndex`).
   */
  forEachBlock(visit: (block: VerifiedBlock, stateIndex: number) => void, keyGroup?: number): void;
}

/**
 * State read from a checkpoint or savepoint and not yet claimed by a registration. It keeps the
 * verified blocks as read, without copying or decoding an entry: values stay serialized until the
 * state is registered, because only then is the serializer known that must read them (checked
 * for compatibility with the one that wrote them). A state never registered again is carried into
 * later snapshots as it was read, as Flink does.
 */
export class RestoredKeyedState {
  /** What was restored, e.g. `checkpoint 7 under file:///ckpt/job/op`. */
  readonly description: string;
  readonly checkpointId: number | undefined;
  /**
   * The caller's metadata of each part restored from (e.g. source positions): only parts that
   * hold key groups of the range restored, for checkpoints and savepoints alike.
   */
  readonly userMetadata: readonly RestoredUserMetadata[];
  /** Number of entries read. */
  readonly entryCount: number;
  readonly #pending = new Map<string, RestoredStateEntries>();
  readonly #blocks: Map<number, VerifiedBlock[]>;

  private constructor(
    source: KeyedStateSource,
    range: KeyGroupRange,
    blocks: Map<number, VerifiedBlock[]>,
    entryCount: number,
  ) {
    this.#blocks = blocks;
    this.description = source.description;
    this.checkpointId = source.checkpointId;
    // A savepoint of another parallelism holds parts this range never read from.
    this.userMetadata = source.userMetadata.filter((part) => !part.keyGroupRange.intersect(range).isEmpty);
    this.entryCount = entryCount;
    for (const state of source.states) this.#pending.set(state.name, entriesOf(state, blocks));
  }

  /**
   * Reads the blocks of `range` from `source` (only the files and blocks holding it). Rejects with
   * a typed error, and keeps nothing, when any of it is corrupt.
   */
  static async read(source: KeyedStateSource, range: KeyGroupRange): Promise<RestoredKeyedState> {
    const blocks = new Map<number, VerifiedBlock[]>();
    let count = 0;
    await source.forEachBlock(range, (block) => {
      const list = blocks.get(block.keyGroup);
      if (list === undefined) blocks.set(block.keyGroup, [block]);
      else list.push(block);
      count += block.entries;
    });
    return new RestoredKeyedState(source, range, blocks, count);
  }

  /**
   * State of `source` whose blocks are not read yet: a lazy restore adds each key group's block
   * ({@link addBlock}) as it loads it. `entryCount` is what the indexes count.
   */
  static lazy(source: KeyedStateSource, range: KeyGroupRange, entryCount: number): RestoredKeyedState {
    return new RestoredKeyedState(source, range, new Map(), entryCount);
  }

  /** Adds the block of a key group read by a lazy restore. */
  addBlock(block: VerifiedBlock): void {
    const list = this.#blocks.get(block.keyGroup);
    if (list === undefined) this.#blocks.set(block.keyGroup, [block]);
    else list.push(block);
  }

  /** The blocks of `keyGroup` kept now (for the states not registered yet). */
  blocksOf(keyGroup: number): readonly VerifiedBlock[] {
    return [...(this.#blocks.get(keyGroup) ?? [])];
  }

  /** Drops the blocks of `keyGroup` once no pending state needs them. */
  dropBlocksOf(keyGroup: number): void {
    if (this.#pending.size === 0) this.#blocks.delete(keyGroup);
  }

  /** Drops every block once no pending state needs them. */
  dropBlocksIfUnneeded(): void {
    if (this.#pending.size === 0) this.#blocks.clear();
  }

  /** States restored and not registered yet. */
  get pendingStates(): readonly RestoredStateEntries[] {
    return [...this.#pending.values()];
  }

  /** Hands the entries of state `name` to its registration; they are no longer pending. */
  take(name: string): RestoredStateEntries | undefined {
    const found = this.#pending.get(name);
    this.#pending.delete(name);
    return found;
  }

  /** Returns entries taken by a registration that failed. */
  putBack(entries: RestoredStateEntries): void {
    this.#pending.set(entries.state.name, entries);
  }
}

/** The entries of `state` in `blocks` (of one key group) alone: what loading those blocks puts. */
export function entriesInBlocks(
  state: CheckpointedState,
  keyGroup: number,
  blocks: readonly VerifiedBlock[],
): RestoredStateEntries {
  return entriesOf(state, new Map([[keyGroup, blocks]]));
}

function entriesOf(
  state: CheckpointedState,
  blocks: ReadonlyMap<number, readonly VerifiedBlock[]>,
): RestoredStateEntries {
  const visitBlocks = (
    list: readonly VerifiedBlock[] | undefined,
    visit: (keyGroup: number, entry: RawEntry) => void,
  ) => {
    for (const block of list ?? []) {
      const index = block.states.indexOf(state);
      if (index < 0) continue;
      decodeVerifiedBlock(block.bytes, block.entries, block.keyGroup, (keyGroup, entry) => {
        if (entry.stateIndex === index) visit(keyGroup, entry);
      });
    }
  };
  const visitRaw = (
    list: readonly VerifiedBlock[] | undefined,
    visit: (block: VerifiedBlock, stateIndex: number) => void,
  ) => {
    for (const block of list ?? []) {
      const index = block.states.indexOf(state);
      if (index >= 0) visit(block, index);
    }
  };
  return {
    state,
    forEachEntry(visit, keyGroup) {
      if (keyGroup !== undefined) visitBlocks(blocks.get(keyGroup), visit);
      else for (const list of blocks.values()) visitBlocks(list, visit);
    },
    forEachBlock(visit, keyGroup) {
      if (keyGroup !== undefined) visitRaw(blocks.get(keyGroup), visit);
      else for (const list of blocks.values()) visitRaw(list, visit);
    },
  };
}
