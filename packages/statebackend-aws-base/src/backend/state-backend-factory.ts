import type { AwsClientManager } from '../aws/client-manager.js';
import type { AnyConfigOption } from '../config/config-option.js';
import type { Configuration } from '../config/configuration.js';
import { type ConfigurationRule, validateConfiguration } from '../config/validation.js';
import type { Logger } from '../logging/logger.js';
import type { CheckpointingStateBackend } from './checkpointing-state-backend.js';
import { StateBackendOptions } from './state-backend-options.js';

/** What a factory may be handed besides the configuration. */
export interface StateBackendContext {
  readonly logger?: Logger;
  /**
   * Factories to choose from besides those registered in the registry (these win for their
   * type). Naming them here is what keeps them in a bundle: nothing depends on a package having
   * been imported for its side effects.
   */
  readonly factories?: readonly StateBackendFactory[];
  /** AWS clients to share; the caller keeps them (a backend never closes a manager it was given). */
  readonly clients?: AwsClientManager;
}

/**
 * Creates one type of state backend from configuration; registered in a
 * {@link StateBackendRegistry} (see `registerS3StateBackend`, `registerDynamoDbStateBackend`) or
 * passed to `createStateBackend` in `factories`.
 */
export interface StateBackendFactory<B extends CheckpointingStateBackend = CheckpointingStateBackend> {
  /** The `state.backend.type` value it answers to, lower case, e.g. `heap`. */
  readonly type: string;
  /** Validates `configuration`, then creates the backend. Throws a `ConfigurationError` before any AWS call. */
  createFromConfig(configuration: Configuration, context?: StateBackendContext): Promise<B>;
}

/**
 * The base of state backend factories, as the Java module's factory from configuration: it
 * validates the configuration with the shared validator (every problem at once, unknown keys
 * under the backend's prefixes with a suggestion) before the backend, and any AWS client, is
 * created.
 *
 * @example
 * ```ts
 * class S3StateBackendFactory extends AbstractAwsStateBackendFactory<S3StateBackend> {
 *   readonly type = 's3';
 *   protected readonly options = [S3Options.BUCKET, S3Options.PREFIX, ...AwsConfigOptions.all()];
 *   protected readonly scopePrefixes = ['state.backend.s3.', 'aws.'];
 *   protected async create(configuration: Configuration, context: StateBackendContext) {
 *     return new S3StateBackend(configuration, context);
 *   }
 * }
 * ```
 */
export abstract class AbstractAwsStateBackendFactory<B extends CheckpointingStateBackend>
  implements StateBackendFactory<B>
{
  abstract readonly type: string;
  /** The options the backend reads (besides `state.backend.type`). */
  protected abstract readonly options: readonly AnyConfigOption[];
  /** Key prefixes this backend owns: unknown keys under them are errors. Default `state.backend.<type>.`. */
  protected get scopePrefixes(): readonly string[] {
    return [`state.backend.${this.type}.`];
  }
  /** Checks across keys, e.g. "a bucket is required". */
  protected get rules(): readonly ConfigurationRule[] {
    return [];
  }

  async createFromConfig(configuration: Configuration, context: StateBackendContext = {}): Promise<B> {
    validateConfiguration(configuration, [StateBackendOptions.TYPE, ...this.options], {
      scopePrefixes: ['state.backend.type', ...this.scopePrefixes],
      rules: this.rules,
      ...(context.logger === undefined ? {} : { logger: context.logger }),
    });
    return this.create(configuration, context);
  }

  /** Creates the backend from a configuration already validated. */
  protected abstract create(configuration: Configuration, context: StateBackendContext): Promise<B>;
}
