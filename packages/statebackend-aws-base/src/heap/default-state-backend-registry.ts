import type { CheckpointingStateBackend } from '../backend/checkpointing-state-backend.js';
import type { StateBackendContext } from '../backend/state-backend-factory.js';
import { StateBackendRegistry } from '../backend/state-backend-registry.js';
import type { Configuration } from '../config/configuration.js';
import { HeapStateBackendFactory } from './heap-state-backend-factory.js';

/**
 * The process-wide registry `createStateBackend` uses: `heap` is registered; backend packages
 * add theirs (`defaultStateBackendRegistry.register(...)`).
 */
export const defaultStateBackendRegistry: StateBackendRegistry = new StateBackendRegistry().register(
  new HeapStateBackendFactory(),
);

/**
 * The state backend `state.backend.type` names (default `heap`), from the default registry or
 * `context.factories`. Its keyed backends take checkpoints (`snapshot`,
 * `notifyCheckpointComplete`), whichever backend the configuration names.
 *
 * @example
 * ```ts
 * import { S3StateBackendFactory } from '@statebackend/aws-s3';
 *
 * const backend = await createStateBackend(Configuration.fromYamlFile('statebackend.yaml'), {
 *   factories: [new S3StateBackendFactory()], // or registerS3StateBackend() once at start-up
 * });
 * ```
 */
export function createStateBackend(
  configuration: Configuration,
  context?: StateBackendContext,
): Promise<CheckpointingStateBackend> {
  return defaultStateBackendRegistry.create(configuration, context);
}
