import type { KeyedStateBackendParameters } from '../backend/keyed-state-backend-parameters.js';
import type { StateBackend } from '../backend/state-backend.js';
import type { LocalCheckpointSettings } from '../checkpoint/config/checkpoint-config-options.js';
import { LocalCheckpointStorage } from '../checkpoint/storage/local-checkpoint-storage.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import { CheckpointingHeapBackendBuilder } from './checkpointing/checkpointing-heap-backend-builder.js';
import type { CheckpointingHeapKeyedStateBackend } from './checkpointing/checkpointing-heap-keyed-state-backend.js';

/** Options of a {@link HeapStateBackend}. */
export interface HeapStateBackendOptions {
  /** Given to keyed backends created without a logger of their own. */
  readonly logger?: Logger;
  /**
   * Where keyed backends take checkpoints (`state.checkpoints.dir` and friends). With it, each
   * keyed backend claims its key groups under `<directory>/<jobId>/<operatorId>/` (fencing any
   * earlier owner) and restores the latest complete checkpoint holding them; without it, keyed
   * backends take no checkpoints (`snapshot()` rejects; savepoints still work).
   */
  readonly checkpoints?: LocalCheckpointSettings;
}

/**
 * The in-memory state backend, the default (`state.backend.type: heap`): keyed state lives in the
 * process as deserialized values, as Flink's `HashMapStateBackend`. Needs no AWS access. Given a
 * checkpoint directory, its keyed backends checkpoint there and restore from there.
 *
 * @example
 * ```ts
 * const backend = await createStateBackend(Configuration.fromObject({
 *   'state.backend.type': 'heap',
 *   'state.checkpoints.dir': '/var/ckpt',
 *   'state.backend.incremental': true,
 * }));
 * const keyed = await backend.createKeyedStateBackend({
 *   jobId: 'clicks',
 *   operatorId: 'count-per-user',
 *   keyGroupRange: KeyGroupRange.of(0, 127),
 *   maxParallelism: 128,
 *   keySerializer: Serializers.string,
 * }); // restored from the latest complete checkpoint, if any
 * await keyed.snapshot(1, { offset: 42 });
 * ```
 */
export class HeapStateBackend implements StateBackend {
  readonly type = 'heap';
  /** The checkpoint settings keyed backends get; undefined when they take no checkpoints. */
  readonly checkpoints: LocalCheckpointSettings | undefined;
  readonly #logger: Logger;

  constructor(options: HeapStateBackendOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
    this.checkpoints = options.checkpoints;
  }

  /**
   * The keyed backend of one operator instance. With checkpoints configured it first claims its
   * key-group range and restores the latest complete checkpoint holding it (a fresh start when
   * there is none).
   */
  async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): Promise<CheckpointingHeapKeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.#logger } : parameters;
    const settings = this.checkpoints;
    if (settings === undefined) return new CheckpointingHeapBackendBuilder<K>(withLogger).build();
    return new CheckpointingHeapBackendBuilder<K>(withLogger, {
      checkpointStorage: new LocalCheckpointStorage({
        directory: settings.directory,
        jobId: parameters.jobId,
        operatorId: parameters.operatorId,
      }),
      restoreFrom: 'latest',
      incremental: settings.incremental,
      retainedCheckpoints: settings.retainedCheckpoints,
    }).build();
  }

  async close(): Promise<void> {}
}
