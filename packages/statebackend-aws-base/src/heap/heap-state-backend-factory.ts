import {
  AbstractAwsStateBackendFactory,
  type StateBackendContext,
} from '../backend/state-backend-factory.js';
import type { AnyConfigOption } from '../config/config-option.js';
import type { Configuration } from '../config/configuration.js';
import { HeapStateBackend } from './heap-state-backend.js';

/** Creates the {@link HeapStateBackend} for `state.backend.type: heap`. It reads no other option. */
export class HeapStateBackendFactory extends AbstractAwsStateBackendFactory<HeapStateBackend> {
  readonly type = 'heap';
  protected readonly options: readonly AnyConfigOption[] = [];

  protected async create(
    _configuration: Configuration,
    context: StateBackendContext,
  ): Promise<HeapStateBackend> {
    return new HeapStateBackend(context.logger === undefined ? {} : { logger: context.logger });
  }
}
