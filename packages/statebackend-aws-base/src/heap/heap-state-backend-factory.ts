import {
  AbstractAwsStateBackendFactory,
  type StateBackendContext,
} from '../backend/state-backend-factory.js';
import {
  CHECKPOINT_CONFIGURATION_RULES,
  checkpointConfigOptions,
  localCheckpointSettingsFrom,
} from '../checkpoint/config/checkpoint-config-options.js';
import type { AnyConfigOption } from '../config/config-option.js';
import type { Configuration } from '../config/configuration.js';
import type { ConfigurationRule } from '../config/validation.js';
import { HeapStateBackend } from './heap-state-backend.js';

/**
 * Creates the {@link HeapStateBackend} for `state.backend.type: heap`, with checkpoints when
 * `state.checkpoints.dir` is set (see `CheckpointConfigOptions`). The configuration is validated
 * first, every problem at once, before any directory is touched.
 */
export class HeapStateBackendFactory extends AbstractAwsStateBackendFactory<HeapStateBackend> {
  readonly type = 'heap';
  protected readonly options: readonly AnyConfigOption[] = checkpointConfigOptions();

  protected override get scopePrefixes(): readonly string[] {
    return ['state.backend.heap.', 'state.checkpoints.', 'state.backend.incremental'];
  }

  protected override get rules(): readonly ConfigurationRule[] {
    return CHECKPOINT_CONFIGURATION_RULES;
  }

  protected async create(
    configuration: Configuration,
    context: StateBackendContext,
  ): Promise<HeapStateBackend> {
    const checkpoints = localCheckpointSettingsFrom(configuration);
    return new HeapStateBackend({
      ...(context.logger === undefined ? {} : { logger: context.logger }),
      ...(checkpoints === undefined ? {} : { checkpoints }),
    });
  }
}
