import {
  CheckpointChangedError,
  CheckpointStorageError,
  CorruptCheckpointError,
  StateBackendError,
} from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import type { CheckpointPart } from '../catalog/checkpoint-part.js';
import type { CheckpointSelection } from '../catalog/checkpoint-selection.js';
import { KeyGroupFileReader } from '../format/key-group-file-reader.js';
import type { RandomAccessFile } from '../format/random-access-file.js';
import type { CheckpointFile } from '../metadata/checkpoint-metadata.js';
import type { CheckpointedState } from '../metadata/checkpointed-state.js';
import { intersectRanges, rangesContain } from '../range-set.js';
import type { CheckpointStorage } from '../storage/checkpoint-storage.js';
import { BlockSource } from './block-source.js';
import type { KeyGroupBlocks } from './key-group-blocks.js';
import type { KeyedStateSource, RestoredUserMetadata, VerifiedBlock } from './keyed-state-source.js';
import { mergeStates } from './merge-states.js';
import { resolveDeltaChain } from './resolve-delta-chain.js';

/** Data files whose trailer and index a lazy restore reads at once. */
const OPEN_CONCURRENCY = 8;

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
  readonly #storage: CheckpointStorage;
  readonly #selection: CheckpointSelection;
  readonly #statesByName: ReadonlyMap<string, CheckpointedState>;

  constructor(storage: CheckpointStorage, selection: CheckpointSelection) {
    super();
    this.#storage = storage;
    this.#selection = selection;
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
    this.#statesByName = new Map(this.states.map((state) => [state.name, state]));
    this.userMetadata = selection.parts.map((part) => ({
      keyGroupRange: part.metadata.keyGroupRange,
      metadata: part.metadata.userMetadata,
    }));
  }

  /** The commit records read for the selection, with their metadata (what retention would read again). */
  get parts(): readonly CheckpointPart[] {
    return this.#selection.parts;
  }

  /** The data files a restore of `range` opens; the others are never read. */
  filesFor(range: KeyGroupRange): CheckpointFile[] {
    return this.#plan(range).map((step) => step.file);
  }

  /** The data files holding `range`, each with only the key groups of `range` it provides. */
  referencedFiles(range: KeyGroupRange): CheckpointFile[] {
    return this.#plan(range).map((step) => ({ ...step.file, keyGroups: step.keyGroups }));
  }

  /** The files to read for `range`: full files first, then delta files, oldest first. */
  #plan(range: KeyGroupRange): { file: CheckpointFile; keyGroups: KeyGroupRange[] }[] {
    const steps: { file: CheckpointFile; keyGroups: KeyGroupRange[] }[] = [];
    for (const part of this.#selection.parts) {
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
    const steps = this.#plan(range);
    this.#storage.prefetch?.(steps.map((step) => step.file.path));
    const chains = new Map<number, VerifiedBlock[]>();
    for (const { file, keyGroups } of steps) {
      if (file.delta !== true) continue;
      for (const r of keyGroups) for (const keyGroup of r) chains.set(keyGroup, []);
    }
    for (const { file, keyGroups } of steps) {
      const { reader, states } = await this.#open(file);
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

  /** Opens a data file (trailer and index) and checks it against the metadata. */
  async #open(
    file: CheckpointFile,
  ): Promise<{ reader: KeyGroupFileReader; states: readonly CheckpointedState[] }> {
    const reader = await KeyGroupFileReader.open(this.#randomAccess(file), 'data');
    const name = reader.file.name;
    if (reader.isDelta !== (file.delta === true)) {
      throw new CorruptCheckpointError(
        name,
        `the metadata records it as a ${file.delta === true ? 'delta' : 'full'} file, but it is not one`,
      );
    }
    const states = reader.stateNames.map((stateName) => {
      const state = this.#statesByName.get(stateName);
      if (state === undefined) {
        throw new CorruptCheckpointError(
          name,
          `its entries belong to state '${stateName}', which the metadata lacks`,
        );
      }
      return state;
    });
    return { reader, states };
  }

  /**
   * Opens the files of `range` for a lazy restore: their trailers and indexes, `OPEN_CONCURRENCY`
   * at a time; no block is read until {@link KeyGroupBlocks.read} asks for it.
   */
  async openBlocks(range: KeyGroupRange): Promise<KeyGroupBlocks> {
    const steps = this.#plan(range);
    const opened: { reader: KeyGroupFileReader; states: readonly CheckpointedState[] }[] = new Array(
      steps.length,
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < steps.length) {
        const index = next++;
        opened[index] = await this.#open((steps[index] as (typeof steps)[number]).file);
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, steps.length) }, worker));
    const files = steps.map((step, index) => ({ ...step, ...(opened[index] as (typeof opened)[number]) }));
    const bytes = new Map<number, number>();
    const withDeltas = new Set<number>();
    let entries = 0;
    for (const { file, keyGroups, reader } of files) {
      for (const r of keyGroups) {
        if (file.delta === true) for (const keyGroup of r) withDeltas.add(keyGroup);
        for (const block of reader.blocksIn(r.startKeyGroup, r.endKeyGroup)) {
          bytes.set(block.keyGroup, (bytes.get(block.keyGroup) ?? 0) + block.length);
          entries += block.entries;
        }
      }
    }
    // Key groups held whole by one full file that split their block into sub-blocks.
    const splitIn = new Map<number, (typeof files)[number]>();
    for (const step of files) {
      if (step.file.delta === true) continue;
      for (const r of step.keyGroups)
        for (const block of step.reader.blocksIn(r.startKeyGroup, r.endKeyGroup))
          if (!withDeltas.has(block.keyGroup) && step.reader.subBlocksOf(block.keyGroup) !== undefined)
            splitIn.set(block.keyGroup, step);
    }
    const states = this.states;
    return {
      subBlockCount: (keyGroup) => splitIn.get(keyGroup)?.reader.subBlocksOf(keyGroup)?.length ?? 1,
      async readSubBlock(keyGroup, index) {
        const step = splitIn.get(keyGroup);
        const sub = step?.reader.subBlocksOf(keyGroup)?.[index];
        if (step === undefined || sub === undefined) {
          throw new StateBackendError(`Key group ${keyGroup} has no sub-block ${index}; this is a bug.`);
        }
        const bytes = await step.reader.readSubBlock(keyGroup, index);
        return { keyGroup, bytes, entries: sub.entries, states: step.states };
      },
      subBlocksOf(block) {
        const step = splitIn.get(block.keyGroup);
        const views = step?.reader.subBlockViews(block.keyGroup, block.bytes);
        return views?.map((view) => ({ keyGroup: block.keyGroup, ...view, states: block.states }));
      },
      keyGroups: [...new Set([...bytes.keys(), ...withDeltas])].sort((a, b) => a - b),
      entries,
      bytesOf: (keyGroup) => bytes.get(keyGroup) ?? 0,
      async read(wanted) {
        // Every file at once; each reads the blocks it holds of `wanted` back to back.
        const perFile = await Promise.all(
          files.map(async ({ keyGroups, reader, states: fileStates }) => {
            const found: VerifiedBlock[] = [];
            for (const r of intersectRanges(keyGroups, wanted)) {
              await reader.forEachBlock(r, (block, blockBytes) =>
                found.push({
                  keyGroup: block.keyGroup,
                  bytes: blockBytes,
                  entries: block.entries,
                  states: fileStates,
                }),
              );
            }
            return found;
          }),
        );
        const chains = new Map<number, VerifiedBlock[]>();
        for (const found of perFile) {
          for (const block of found) {
            const chain = chains.get(block.keyGroup);
            if (chain === undefined) chains.set(block.keyGroup, [block]);
            else chain.push(block);
          }
        }
        for (const keyGroup of wanted)
          if (withDeltas.has(keyGroup) && !chains.has(keyGroup)) chains.set(keyGroup, []);
        const resolved: VerifiedBlock[] = [];
        for (const [keyGroup, chain] of [...chains].sort(([a], [b]) => a - b)) {
          const block = withDeltas.has(keyGroup) ? resolveDeltaChain(keyGroup, chain, states) : chain[0];
          if (block !== undefined) resolved.push(block);
        }
        return resolved;
      },
    };
  }

  #randomAccess(file: CheckpointFile): RandomAccessFile {
    const name = this.#storage.describe(file.path);
    const storage = this.#storage;
    const stillCommitted = (): Promise<boolean> => this.#stillCommitted();
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
  async #stillCommitted(): Promise<boolean> {
    const paths = new Set((await this.#storage.listCommitted()).map((c) => c.path));
    return this.#selection.parts.every((part) => paths.has(part.committed.path));
  }
}
