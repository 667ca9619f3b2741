import type { StateBackend } from '../backend/state-backend.js';
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
 * The state backend `state.backend.type` names (default `heap`), from the default registry.
 *
 * @example
 * ```ts
 * const backend = await createStateBackend(Configuration.fromYaml('state.backend.type: heap'));
 * ```
 */
export function createStateBackend(
  configuration: Configuration,
  context?: StateBackendContext,
): Promise<StateBackend> {
  return defaultStateBackendRegistry.create(configuration, context);
}
