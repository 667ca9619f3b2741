import { AbstractAwsKeyedStateBackendBuilder } from '../backend/abstract-aws-keyed-state-backend-builder.js';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';

/**
 * Builds a {@link HeapKeyedStateBackend}. Restore from checkpoints plugs in by overriding
 * `restore` (the tables are filled key group by key group, see `HeapKeyedStateBackend.tableOf`).
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
