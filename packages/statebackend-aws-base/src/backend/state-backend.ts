import type { KeyedStateBackend } from './keyed-state-backend.js';
import type { KeyedStateBackendParameters } from './keyed-state-backend-parameters.js';

/**
 * A state backend: creates the keyed backends of a job's operator instances, after Flink's
 * `StateBackend`. One is created per process from configuration (see
 * {@link StateBackendRegistry}); each operator instance asks it for its keyed backend.
 *
 * @example
 * ```ts
 * const stateBackend = await createStateBackend(Configuration.fromYaml(yaml)); // heap by default
 * const keyed = await stateBackend.createKeyedStateBackend({
 *   jobId: 'clicks',
 *   operatorId: 'count-per-user',
 *   keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, 4, subtaskIndex),
 *   maxParallelism: 128,
 *   keySerializer: Serializers.string,
 * });
 * ```
 */
export interface StateBackend {
  /** The `state.backend.type` this backend answers to, e.g. `heap`. */
  readonly type: string;
  /** The keyed backend of one operator instance. */
  createKeyedStateBackend<K>(parameters: KeyedStateBackendParameters<K>): Promise<KeyedStateBackend<K>>;
  /** Releases what the backend created (AWS clients); keyed backends are disposed by their owners. */
  close(): Promise<void>;
}
