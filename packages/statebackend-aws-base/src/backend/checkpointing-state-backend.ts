import type { CheckpointingKeyedStateBackend } from './checkpointing-keyed-state-backend.js';
import type { KeyedStateBackendParameters } from './keyed-state-backend-parameters.js';
import type { StateBackend } from './state-backend.js';

/**
 * A state backend whose keyed backends take checkpoints: what `createStateBackend` returns and
 * what every built-in backend (heap, S3, DynamoDB) is, so a job written against it runs on the
 * backend that `state.backend.type` names.
 *
 * @example
 * ```ts
 * const backend = await createStateBackend(Configuration.fromYamlFile('statebackend.yaml'));
 * const keyed = await backend.createKeyedStateBackend(parameters);
 * const { checkpointId } = await keyed.snapshot(keyed.nextCheckpointId, { offset });
 * await keyed.notifyCheckpointComplete(checkpointId);
 * ```
 */
export interface CheckpointingStateBackend extends StateBackend {
  /**
   * The keyed backend of one operator instance. The built-in backends restore the newest complete
   * checkpoint of its key groups (heap: with `state.checkpoints.dir`), or start empty when there
   * is none, and fence the previous owner.
   */
  createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): Promise<CheckpointingKeyedStateBackend<K>>;
}
