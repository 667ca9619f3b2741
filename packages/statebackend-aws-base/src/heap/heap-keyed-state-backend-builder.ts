import { AbstractAwsKeyedStateBackendBuilder } from '../backend/abstract-aws-keyed-state-backend-builder.js';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';

/**
 * Builds a bare {@link HeapKeyedStateBackend}. Restore from checkpoints plugs in by overriding
 * `restore` (the tables are filled key group by key group, see `HeapKeyedStateBackend.tableOf`).
 *
 * @deprecated Build heap backends with `CheckpointingHeapBackendBuilder` (what `HeapStateBackend`
 * uses): the same tables, plus checkpoints, restore and savepoints.
 */
export class HeapKeyedStateBackendBuilder<K, R = never> extends AbstractAwsKeyedStateBackendBuilder<
  K,
  HeapKeyedStateBackend<K>,
  R
> {
  protected createBackend(): HeapKeyedStateBackend<K> {
    return new HeapKeyedStateBackend(this.parameters);
  }
}
