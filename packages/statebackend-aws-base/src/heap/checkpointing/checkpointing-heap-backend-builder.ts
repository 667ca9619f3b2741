import { AbstractAwsKeyedStateBackendBuilder } from '../../backend/abstract-aws-keyed-state-backend-builder.js';
import type { KeyedStateBackendParameters } from '../../backend/keyed-state-backend-parameters.js';
import { requireZstd } from '../../checkpoint/format/frame-codec.js';
import type { SnapshotCompression } from '../../checkpoint/format/key-group-file-format.js';
import type { CheckpointMetadata } from '../../checkpoint/metadata/checkpoint-metadata.js';
import { checkSourceMaxParallelism } from '../../checkpoint/restore/check-max-parallelism.js';
import { CheckpointSource } from '../../checkpoint/restore/checkpoint-source.js';
import { isLazilyReadable, type KeyGroupBlocks } from '../../checkpoint/restore/key-group-blocks.js';
import type { KeyedStateSource } from '../../checkpoint/restore/keyed-state-source.js';
import { type RestoreOptions, resolveRestoreOptions } from '../../checkpoint/restore/restore-options.js';
import {
  continueHistory,
  type RestoreSource,
  resolveRestoreSource,
} from '../../checkpoint/restore/restore-source.js';
import { RestoredKeyedState } from '../../checkpoint/restore/restored-keyed-state.js';
import { CheckpointSnapshotter } from '../../checkpoint/snapshot/checkpoint-snapshotter.js';
import {
  type IncrementalSnapshotOptions,
  IncrementalSnapshotStrategy,
} from '../../checkpoint/snapshot/incremental-snapshot-strategy.js';
import { FullSnapshotStrategy } from '../../checkpoint/snapshot/snapshot-strategy.js';
import type { CheckpointStorage, WriterLease } from '../../checkpoint/storage/checkpoint-storage.js';
import { CheckpointChangedError } from '../../errors.js';
import type { KeyGroupRange } from '../../keygroup/key-group-range.js';
import { noopLogger } from '../../logging/logger.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import type { State } from '../../state/state.js';
import type { StateDescriptor } from '../../state/state-descriptor.js';
import { CheckpointingHeapKeyedStateBackend } from './checkpointing-heap-keyed-state-backend.js';

/** Restores of a checkpoint that changed while read, before `CheckpointChangedError` is thrown. */
const RESTORE_ATTEMPTS = 3;

/** A state to register right after restore; see {@link CheckpointingOptions.states}. */
export interface StateRegistration {
  readonly descriptor: StateDescriptor<State, unknown>;
  /** For namespaced states (as `getPartitionedState` takes it). */
  readonly namespaceSerializer?: TypeSerializer<unknown>;
}

/** How a keyed backend takes checkpoints and what it restores from. */
export interface CheckpointingOptions {
  /**
   * Where checkpoints go. The backend claims its key-group range there when built, fencing any
   * earlier owner. Without it `snapshot()` is unavailable; savepoints still work.
   */
  readonly checkpointStorage?: CheckpointStorage;
  /** What to restore from before the backend is handed out. */
  readonly restoreFrom?: RestoreSource;
  /**
   * How to restore: `{ mode: 'lazy' }` (the default) hands the backend out once the commit
   * records and the data files' indexes are read, and loads key groups behind it (a record waits
   * for its own key group only); `{ mode: 'eager' }` loads everything first, so that a corrupt
   * block fails the build. See {@link RestoreOptions}.
   */
  readonly restore?: RestoreOptions;
  /** Incremental checkpoints (only key groups changed since the last one). Default false: full. */
  readonly incremental?: boolean | IncrementalSnapshotOptions;
  /** Complete checkpoints kept per key group. Default 1. */
  readonly retainedCheckpoints?: number;
  /** Size at which a data file ends (at a key-group boundary). Default 64 MiB. */
  readonly targetFileSize?: number;
  /** `zstd`: compressed data files (frames compressed where that saves space). Default `none`. */
  readonly compression?: SnapshotCompression;
  /**
   * Delete nothing already under the storage: no retention and no abandoning of newer
   * checkpoints after a restore. For tools that add a checkpoint beside a job's own (a savepoint
   * import) and must never delete what they did not write. Default false.
   */
  readonly keepHistory?: boolean;
  /**
   * States to register once restored, so that a state whose kind, TTL or serializers no longer
   * read what was checkpointed fails the build rather than the first record that uses it.
   */
  readonly states?: readonly StateRegistration[];
}

/**
 * Builds a {@link CheckpointingHeapKeyedStateBackend}: claims the key-group range in the
 * checkpoint storage, restores (any key-group range from a checkpoint of any parallelism, or a
 * savepoint) and registers the given states. A backend whose restore fails is disposed and the
 * typed error thrown; nothing partial is ever handed out.
 */
export class CheckpointingHeapBackendBuilder<K> extends AbstractAwsKeyedStateBackendBuilder<
  K,
  CheckpointingHeapKeyedStateBackend<K>,
  RestoreSource
> {
  readonly #options: CheckpointingOptions;
  #lease: WriterLease | undefined;
  #snapshotter: CheckpointSnapshotter | undefined;
  /** What the restore read (its source undefined when `'latest'` found nothing). */
  #restoredSource: { source: KeyedStateSource | undefined } | undefined;
  readonly #restoreOptions: Required<RestoreOptions>;
  /** Whether the restore loads key groups after the backend is handed out. */
  #restoredLazily = false;

  constructor(parameters: KeyedStateBackendParameters<K>, options: CheckpointingOptions = {}) {
    super(parameters, options.restoreFrom === undefined ? [] : [options.restoreFrom]);
    if (options.compression === 'zstd') requireZstd('compress checkpoint data files');
    this.#restoreOptions = resolveRestoreOptions(options.restore);
    this.#options = options;
  }

  override async build(): Promise<CheckpointingHeapKeyedStateBackend<K>> {
    const backend = await super.build();
    try {
      for (const { descriptor, namespaceSerializer } of this.#options.states ?? []) {
        backend.registerState(descriptor, namespaceSerializer);
      }
      // Only a restore that fully succeeded continues the history from what it restored.
      const own = this.#ownStorage();
      if (own !== undefined && this.#snapshotter !== undefined) {
        const source = this.#restoredSource?.source;
        await continueHistory(source, own, this.#snapshotter);
        if (source instanceof CheckpointSource && source.storageLocation === own.storage.location) {
          this.#snapshotter.knowCommitRecords(source.parts);
        }
        // Loaded lazily from this storage, unchanged key groups stay where they are.
        if (
          this.#restoredLazily &&
          source instanceof CheckpointSource &&
          source.storageLocation === own.storage.location
        ) {
          this.#snapshotter.continueFrom(
            restoredBase(source, this.parameters.keyGroupRange, own.lease.epoch),
          );
        }
      }
    } catch (error) {
      await backend.dispose();
      throw error;
    }
    backend.startLazyRestore();
    return backend;
  }

  #ownStorage(): { storage: CheckpointStorage; lease: WriterLease } | undefined {
    const storage = this.#options.checkpointStorage;
    return storage === undefined || this.#lease === undefined ? undefined : { storage, lease: this.#lease };
  }

  protected async createBackend(): Promise<CheckpointingHeapKeyedStateBackend<K>> {
    const storage = this.#options.checkpointStorage;
    if (storage === undefined) return new CheckpointingHeapKeyedStateBackend(this.parameters, undefined);
    this.#lease = await storage.claim(this.parameters.keyGroupRange);
    const incremental = this.#options.incremental ?? false;
    const snapshotter = new CheckpointSnapshotter({
      storage,
      lease: this.#lease,
      jobId: this.parameters.jobId,
      operatorId: this.parameters.operatorId,
      strategy:
        incremental === false
          ? new FullSnapshotStrategy()
          : new IncrementalSnapshotStrategy(incremental === true ? {} : incremental),
      ...(this.#options.retainedCheckpoints === undefined
        ? {}
        : { retainedCheckpoints: this.#options.retainedCheckpoints }),
      ...(this.#options.targetFileSize === undefined ? {} : { targetFileSize: this.#options.targetFileSize }),
      ...(this.#options.compression === undefined ? {} : { compression: this.#options.compression }),
      ...(this.#options.keepHistory === true ? { keepHistory: true } : {}),
      ...(this.parameters.logger === undefined ? {} : { logger: this.parameters.logger }),
      ...(this.parameters.metricGroup === undefined
        ? {}
        : { metricGroup: this.parameters.metricGroup.addGroup('checkpoints') }),
    });
    this.#snapshotter = snapshotter;
    return new CheckpointingHeapKeyedStateBackend(this.parameters, snapshotter);
  }

  protected override async restore(
    backend: CheckpointingHeapKeyedStateBackend<K>,
    sources: readonly RestoreSource[],
  ): Promise<void> {
    const { keyGroupRange, maxParallelism } = this.parameters;
    const logger = this.parameters.logger ?? noopLogger;
    const own = this.#ownStorage();
    // The last source given wins: each replaces the whole state of the range.
    const spec = sources[sources.length - 1];
    if (spec === undefined) return;
    let source: KeyedStateSource | undefined;
    let restored: RestoredKeyedState;
    let blocks: KeyGroupBlocks | undefined;
    const lazy = this.#restoreOptions.mode === 'lazy';
    for (let attempt = 1; ; attempt++) {
      source = await resolveRestoreSource(spec, keyGroupRange, maxParallelism, own);
      if (source === undefined) {
        this.#restoredSource = { source };
        logger.info('No checkpoint to restore; starting empty', { operatorId: backend.operatorId });
        return;
      }
      checkSourceMaxParallelism(source, maxParallelism);
      try {
        if (lazy && isLazilyReadable(source)) {
          blocks = await source.openBlocks(keyGroupRange);
          restored = RestoredKeyedState.lazy(source, keyGroupRange, blocks.entries);
        } else {
          restored = await RestoredKeyedState.read(source, keyGroupRange);
        }
        break;
      } catch (error) {
        // Removed while read (another owner's retention): list again and restore what is there now.
        if (!(error instanceof CheckpointChangedError) || attempt >= RESTORE_ATTEMPTS) throw error;
        logger.warn('The checkpoint changed while it was restored; listing again', { error: error.message });
      }
    }
    this.#restoredSource = { source };
    if (blocks !== undefined) {
      this.#restoredLazily = true;
      const { concurrency, maxBytesInFlight } = this.#restoreOptions;
      backend.acceptLazyRestore(restored, blocks, { concurrency, maxBytesInFlight });
    } else {
      backend.acceptRestoredState(restored);
    }
    logger.info(blocks === undefined ? 'Restored keyed state' : 'Restoring keyed state lazily', {
      operatorId: backend.operatorId,
      from: restored.description,
      entries: restored.entryCount,
    });
  }
}

/**
 * Checkpoint `source` as an incremental checkpoint's base for `range`: its files, each with the
 * key groups of `range` it provides, which the next checkpoints reference for unchanged key groups.
 */
function restoredBase(source: CheckpointSource, range: KeyGroupRange, epoch: number): CheckpointMetadata {
  return {
    checkpointId: source.checkpointId,
    jobId: '',
    operatorId: '',
    timestamp: 0,
    maxParallelism: source.maxParallelism,
    keyGroupRange: range,
    writerEpoch: epoch,
    snapshotType: 'incremental',
    states: source.states,
    files: source.referencedFiles(range),
  };
}
