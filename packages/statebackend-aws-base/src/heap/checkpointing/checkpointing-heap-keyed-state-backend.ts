import { checkRestoredState } from '../../backend/check-restored-state.js';
import type {
  CheckpointingKeyedStateBackend,
  RestoredCheckpointInfo,
} from '../../backend/checkpointing-keyed-state-backend.js';
import type { KeyedStateBackendParameters } from '../../backend/keyed-state-backend-parameters.js';
import type { RegisteredKeyedState } from '../../backend/registered-state.js';
import type { JsonValue } from '../../checkpoint/json.js';
import type { KeyGroupBlocks } from '../../checkpoint/restore/key-group-blocks.js';
import type { RestoredKeyedState } from '../../checkpoint/restore/restored-keyed-state.js';
import {
  type EncodedSavepoint,
  encodeSavepoint,
  type SavepointOptions,
} from '../../checkpoint/savepoint/write-savepoint.js';
import type { CheckpointSnapshotter } from '../../checkpoint/snapshot/checkpoint-snapshotter.js';
import type { CompletedCheckpoint } from '../../checkpoint/snapshot/checkpoint-snapshotter-options.js';
import { SnapshotAbortedError, StateBackendError } from '../../errors.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import { HeapKeyedStateBackend } from '../heap-keyed-state-backend.js';
import { LazyRestore } from './lazy-restore.js';
import { loadRestoredState } from './load-restored-state.js';
import { TableSnapshotView } from './table-snapshot-view.js';

/**
 * The heap backend with checkpoints: `snapshot()` freezes every table copy-on-write (the short
 * synchronous part) and writes them out asynchronously through a {@link CheckpointSnapshotter},
 * while records keep being processed. Built, and restored, by `CheckpointingHeapBackendBuilder`.
 *
 * @example
 * ```ts
 * const backend = await new CheckpointingHeapBackendBuilder(parameters, {
 *   checkpointStorage: new LocalCheckpointStorage({ directory: '/var/ckpt', jobId, operatorId }),
 *   restoreFrom: 'latest',
 * }).build();
 * const position = backend.restored?.userMetadata[0]?.metadata;  // resume the source here
 * // ...process records...
 * const pending = backend.snapshot(checkpointId, { offset });     // frozen now; keep processing
 * await pending;                                                  // committed
 * ```
 */
export class CheckpointingHeapKeyedStateBackend<K>
  extends HeapKeyedStateBackend<K>
  implements CheckpointingKeyedStateBackend<K>
{
  /** What this backend was restored from; undefined after a fresh start. */
  restored: RestoredCheckpointInfo | undefined;
  #snapshotter: CheckpointSnapshotter | undefined;
  #restoredState: RestoredKeyedState | undefined;
  /** The restore still loading key groups (lazy); undefined once all are loaded, or when eager. */
  #lazy: LazyRestore | undefined;

  constructor(parameters: KeyedStateBackendParameters<K>, snapshotter: CheckpointSnapshotter | undefined) {
    super(parameters);
    this.#snapshotter = snapshotter;
  }

  /** The id `snapshot()` takes when given none: one above the last restored or snapshotted. */
  get nextCheckpointId(): number {
    return (this.#snapshotter?.lastCheckpointId ?? 0) + 1;
  }

  /**
   * The newest checkpoint id committed for any key group of the range (after a rollback, the
   * newer checkpoints of earlier owners count too); `snapshot()` rejects ids at or below it with
   * `CheckpointIdTooLowError`, before writing anything. -1 when there is none.
   */
  get latestCheckpointId(): number {
    return this.#snapshotter?.latestCheckpointId ?? -1;
  }

  /**
   * Takes checkpoint `checkpointId` (default {@link nextCheckpointId}): the state now, with
   * `metadata` (e.g. the source position).
   * The tables are frozen before this returns; writes made afterwards are not in the checkpoint.
   * The promise resolves once the checkpoint is committed (its metadata stored last), and
   * rejects, leaving the previous checkpoint the latest, if any step fails.
   */
  snapshot(checkpointId: number = this.nextCheckpointId, metadata?: JsonValue): Promise<CompletedCheckpoint> {
    const snapshotter = this.#snapshotter;
    if (snapshotter === undefined) {
      return Promise.reject(
        new StateBackendError(
          `Operator '${this.operatorId}' has no checkpoint storage: build it with a checkpointStorage to take checkpoints, ` +
            'or use exportSavepoint().',
        ),
      );
    }
    if (this.isDisposed)
      return Promise.reject(new SnapshotAbortedError(checkpointId, 'the backend is disposed'));
    // A key group that could not be restored has no state to checkpoint.
    const failure = this.#lazy?.failure;
    if (failure !== undefined) return Promise.reject(failure);
    return snapshotter.snapshot(checkpointId, this.#freeze(), metadata);
  }

  /**
   * Checkpoint `checkpointId` completed everywhere (every operator committed it): older
   * checkpoints beyond the retained count are deleted. Until a checkpoint is confirmed, the
   * checkpoints before it are kept, so that aborting it never leaves nothing to restore.
   */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.#snapshotter?.complete(checkpointId);
  }

  /** Checkpoint `checkpointId` was aborted: stops it if in flight, removes its files and commit. */
  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    await this.#snapshotter?.abort(checkpointId);
  }

  /**
   * Exports the state now as a canonical savepoint, which any backend can import. The tables are
   * frozen before this returns; write `content` out (e.g. to a file) to finish.
   */
  exportSavepoint(options: SavepointOptions = {}): EncodedSavepoint {
    const failure = this.#lazy?.failure;
    if (failure !== undefined) throw failure;
    // The changes recorded since the last checkpoint stay recorded: the next checkpoint writes them.
    const view = this.#freeze({ keepChanges: true });
    const encoded = encodeSavepoint(view, options);
    return {
      content: {
        async *[Symbol.asyncIterator]() {
          try {
            await view.prepare();
            yield* encoded.content;
          } finally {
            view.release();
          }
        },
      },
      result: () => encoded.result(),
    };
  }

  /** @internal Called by the builder once the restored entries were read. */
  acceptRestoredState(restored: RestoredKeyedState): void {
    this.#restoredState = restored;
    this.restored = {
      description: restored.description,
      checkpointId: restored.checkpointId,
      userMetadata: restored.userMetadata,
      entries: restored.entryCount,
    };
    this.#snapshotter?.restoredFrom(restored.checkpointId);
  }

  /**
   * @internal Called by the builder once the commit records and indexes were read: key groups
   * load from `blocks` (once {@link startLazyRestore} is called; a record's own key group at
   * once), and records wait for theirs.
   */
  acceptLazyRestore(
    restored: RestoredKeyedState,
    blocks: KeyGroupBlocks,
    limits: { readonly concurrency: number; readonly maxBytesInFlight: number },
  ): void {
    this.acceptRestoredState(restored);
    const lazy = new LazyRestore(
      {
        keyGroupRange: this.keyGroupRange,
        keySerializer: this.keySerializer as TypeSerializer<unknown>,
        logger: this.logger,
        operatorId: this.operatorId,
      },
      restored,
      blocks,
      limits,
      () => {
        // Every key group is served: records are back to the one check.
        this.setKeyGroupGate(undefined);
        this.#lazy = undefined;
      },
    );
    this.#lazy = lazy;
    this.setKeyGroupGate(lazy.loader);
  }

  /**
   * @internal Called by the builder as it hands the backend out: the background loading of a
   * lazy restore starts only now (a turn later, after the first records' reads), so that it does
   * not hold up the rest of the build, nor the first records.
   */
  startLazyRestore(): void {
    this.#lazy?.loader.startAfterFirstRecords();
  }

  /**
   * Resolves once every restored key group is loaded (at once when none is loading); rejects with
   * a restore failure, or with `StateBackendDisposedError` when the backend is disposed first.
   */
  whenRestored(): Promise<void> {
    return this.#lazy?.loader.whenAllLoaded() ?? Promise.resolve();
  }

  override async *keys(stateName: string, namespace?: unknown): AsyncGenerator<K> {
    await this.whenRestored();
    yield* super.keys(stateName, namespace);
  }

  protected override onStateRegistered(state: RegisteredKeyedState): void {
    super.onStateRegistered(state);
    const entries = this.#restoredState?.take(state.name);
    // Restored cells are in the checkpoint restored from (or in the next, full, one): not changes.
    if (entries === undefined) {
      this.#trackChanges(state);
      return;
    }
    const lazy = this.#lazy;
    try {
      if (lazy !== undefined) {
        lazy.register(state, entries, this.tableOf(state));
        this.#trackChanges(state);
        return;
      }
      const table = this.tableOf(state);
      const keySerializer = this.keySerializer as TypeSerializer<unknown>;
      const description = this.restored?.description ?? '';
      loadRestoredState(entries, state, keySerializer, table, description);
      // As in `LazyRestore.register`: restored cells are no change. Registered once a lazy restore
      // finished loading, or after checkpoints that carried the state as restored, they are in the
      // files the next incremental checkpoint references (after an eager restore it is full
      // anyway). Values a serializer migrates stay changes: they are written again.
      if (checkRestoredState(entries.state, state, keySerializer, description).kind === 'compatible-as-is') {
        for (const keyGroup of this.keyGroupRange) table.forgetChanges(keyGroup);
      }
    } catch (error) {
      // Not registered after all: a compatible registration may still claim the entries.
      this.#restoredState?.putBack(entries);
      this.tableOf(state).clear();
      throw error;
    }
    this.#trackChanges(state);
  }

  /** Delta checkpoints write the cells changed since the last one: the table records them. */
  #trackChanges(state: RegisteredKeyedState): void {
    if (this.#snapshotter?.incremental === true) this.tableOf(state).trackChangedCells();
  }

  override async dispose(): Promise<void> {
    this.#snapshotter?.close();
    // No key group loads after dispose; reads in flight settle first.
    await this.#lazy?.close();
    // Retention runs after a checkpoint completes; let the queued passes end first.
    await this.#snapshotter?.settled();
    await super.dispose();
  }

  #freeze(options: { readonly keepChanges?: boolean } = {}): TableSnapshotView {
    const tables = this.snapshotTables(options);
    const pending = this.#restoredState?.pendingStates ?? [];
    const lazy = this.#lazy?.freeze(
      tables.parts.map((part) => part.state),
      pending,
    );
    return new TableSnapshotView(
      tables,
      this.maxParallelism,
      this.keySerializer as TypeSerializer<unknown>,
      pending,
      lazy?.rewrite ?? [],
      lazy?.unloaded,
      lazy?.partlyLoaded,
    );
  }
}
