import type { KeyedStateBackendParameters } from '../backend/keyed-state-backend-parameters.js';
import type { StateBackend } from '../backend/state-backend.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { HeapKeyedStateBackendBuilder } from './heap-keyed-state-backend-builder.js';

/** Options of a {@link HeapStateBackend}. */
export interface HeapStateBackendOptions {
  /** Given to keyed backends created without a logger of their own. */
  readonly logger?: Logger;
}

/**
 * The in-memory state backend, the default (`state.backend.type: heap`): keyed state lives in the
 * process as deserialized values, as Flink's `HashMapStateBackend`. Needs no AWS access.
 *
 * @example
 * ```ts
 * const keyed = await new HeapStateBackend().createKeyedStateBackend({
 *   jobId: 'clicks',
 *   operatorId: 'count-per-user',
 *   keyGroupRange: KeyGroupRange.of(0, 127),
 *   maxParallelism: 128,
 *   keySerializer: Serializers.string,
 * });
 * ```
 */
export class HeapStateBackend implements StateBackend {
  readonly type = 'heap';
  readonly #logger: Logger;

  constructor(options: HeapStateBackendOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
  }

  async createKeyedStateBackend<K>(
    parameters: KeyedStateBackendParameters<K>,
  ): Promise<HeapKeyedStateBackend<K>> {
    const withLogger = parameters.logger === undefined ? { ...parameters, logger: this.#logger } : parameters;
    return new HeapKeyedStateBackendBuilder<K>(withLogger).build();
  }

  async close(): Promise<void> {}
}
