import { CheckpointChangedError, CheckpointStorageError, CorruptCheckpointError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { CheckpointSelection } from '../catalog/checkpoint-selection.js';
import { KeyGroupFileReader } from '../format/key-group-file-reader.js';
import type { RandomAccessFile } from '../format/random-access-file.js';
import type { CheckpointFile } from '../metadata/checkpoint-metadata.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { intersectRanges, rangesContain } from '../range-set.js';
import type { CheckpointStorage } from '../storage/checkpoint-storage.js';
import { BlockSource } from './block-source.js';
import type { KeyedStateSource, RestoredUserMetadata, VerifiedBlock } from './keyed-state-source.js';
import { mergeStates } from './merge-states.js';
import { resolveDeltaChain } from './resolve-delta-chain.js';

/**
 * A {@link KeyedStateSource} over a selected checkpoint: it opens only the files that provide
 * key groups of the range asked for, and reads only their blocks.
 */
export class CheckpointSource extends BlockSource implements KeyedStateSource {
  readonly description: string;
  readonly checkpointId: number;
  /** The location of the storage read from. */
  readonly storageLocation: string;
  readonly maxParallelism: number;
  readonly states: readonly CheckpointedState[];
  readonly userMetadata: readonly RestoredUserMetadata[];
  private readonly storage: CheckpointStorage;
  private readonly selection: CheckpointSelection;
  private readonly statesByName: ReadonlyMap<string, CheckpointedState>;

  constructor(storage: CheckpointStorage, selection: CheckpointSelection) {
    super();
    this.storage = storage;
    this.selection = selection;
    this.checkpointId = selection.checkpointId;
    this.storageLocation = storage.location;
    this.maxParallelism = selection.maxParallelism;
    this.description = `checkpoint ${selection.checkpointId} under ${storage.location}`;
    this.states = mergeStates(
      selection.parts.map((part) => ({
        file: storage.describe(part.committed.path),
        states: part.metadata.states,
      })),
    );
    this.statesByName = new Map(this.states.map((state) => [state.name, state]));
    this.userMetadata = selection.parts.map((part) => ({
      keyGroupRange: part.metadata.keyGroupRange,
      metadata: part.metadata.userMetadata,
    }));
  }

  /** The data files a restore of `range` opens; the others are never read. */
  filesFor(range: KeyGroupRange): CheckpointFile[] {
    return this.plan(range).map((step) => step.file);
  }

  /** The files to read for `range`: full files first, then delta files, oldest first. */
  private plan(range: KeyGroupRange): { file: CheckpointFile; keyGroups: KeyGroupRange[] }[] {
    const steps: { file: CheckpointFile; keyGroups: KeyGroupRange[] }[] = [];
    for (const part of this.selection.parts) {
      const wanted = part.keyGroups.flatMap((r) => intersectRanges([r], range));
      if (wanted.length === 0) continue;
      for (const file of part.metadata.files) {
        const keyGroups = wanted.flatMap((w) => intersectRanges(file.keyGroups, w));
        if (keyGroups.length > 0) steps.push({ file, keyGroups });
      }
    }
    const order = (file: CheckpointFile) => (file.delta === true ? file.checkpointId : -1);
    return steps.sort((a, b) => order(a.file) - order(b.file));
  }

  /**
   * Visits the blocks of `range`. A key group with delta files is visited once, after its full
   * block and deltas were read, as one block resolved from them (see {@link resolveDeltaChain}).
   * The storage is told the files first, in the order read (`CheckpointStorage.prefetch`).
   */
  override async forEachBlock(range: KeyGroupRange, visit: (block: VerifiedBlock) => void): Promise<void> {
    const steps = this.plan(range);
    this.storage.prefetch?.(steps.map((step) => step.file.path));
    const chains = new Map<number, VerifiedBlock[]>();
    for (const { file, keyGroups } of steps) {
      if (file.delta !== true) continue;
      for (const r of keyGroups) for (const keyGroup of r) chains.set(keyGroup, []);
    }
    for (const { file, keyGroups } of steps) {
      const reader = await KeyGroupFileReader.open(this.randomAccess(file), 'data');
      const name = reader.file.name;
      if (reader.isDelta !== (file.delta === true)) {
        throw new CorruptCheckpointError(
          name,
          `the metadata records it as a ${file.delta === true ? 'delta' : 'full'} file, but it is not one`,
        );
      }
      const states = reader.stateNames.map((stateName) => {
        const state = this.statesByName.get(stateName);
        if (state === undefined) {
          throw new CorruptCheckpointError(
            name,
            `its entries belong to state '${stateName}', which the metadata lacks`,
          );
        }
        return state;
      });
      await reader.forEachBlock(
        (keyGroup) => rangesContain(keyGroups, keyGroup),
        (block, bytes) => {
          const verified = { keyGroup: block.keyGroup, bytes, entries: block.entries, states };
          const chain = chains.get(block.keyGroup);
          if (chain === undefined) visit(verified);
          else chain.push(verified);
        },
      );
    }
    for (const [keyGroup, chain] of [...chains].sort(([a], [b]) => a - b)) {
      const resolved = resolveDeltaChain(keyGroup, chain, this.states);
      if (resolved !== undefined) visit(resolved);
    }
  }

  private randomAccess(file: CheckpointFile): RandomAccessFile {
    const name = this.storage.describe(file.path);
    const storage = this.storage;
    const stillCommitted = (): Promise<boolean> => this.stillCommitted();
    const checkpointId = this.checkpointId;
    return {
      name,
      size: file.size,
      async read(offset, length) {
        try {
          return await storage.readFile(file.path, { offset, length });
        } catch (error) {
          if (error instanceof CheckpointStorageError && error.notFound) {
            // Gone with its commit record: the checkpoint was removed since it was listed.
            if (!(await stillCommitted())) {
              throw new CheckpointChangedError(
                storage.location,
                checkpointId,
                `${name} and the commit record referencing it were removed after they were listed`,
                { cause: error },
              );
            }
            throw new CorruptCheckpointError(name, 'the data file the metadata references is missing', {
              cause: error,
            });
          }
          throw error;
        }
      },
    };
  }

  /** Whether every commit record this source was selected from is still there. */
  private async stillCommitted(): Promise<boolean> {
    const paths = new Set((await this.storage.listCommitted()).map((c) => c.path));
    return this.selection.parts.every((part) => paths.has(part.committed.path));
  }
}
