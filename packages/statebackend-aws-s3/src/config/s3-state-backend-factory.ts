import {
  type ConfigOption,
  type Configuration,
  defaultStateBackendRegistry,
  type StateBackendContext,
  StateBackendOptions,
} from '@statebackend/aws-base';
import {
  AbstractAwsStateBackendFactory,
  type AnyConfigOption,
  type StateBackendRegistry,
  validateAwsConfiguration,
} from '@statebackend/aws-base/spi';
import { type S3StateBackendOptions as BackendOptions, S3StateBackend } from '../backend/s3-state-backend.js';
import {
  DEFAULT_ENTROPY_LENGTH,
  DEFAULT_PART_SIZE,
  DEFAULT_UPLOAD_CONCURRENCY,
} from '../storage/s3-checkpoint-storage-options.js';
import type { S3Encryption } from '../storage/s3-request-params.js';
import {
  S3StateBackendOptions as Options,
  S3_CONFIGURATION_RULES,
  S3_OPTIONS_PREFIX,
  s3StateBackendOptions,
} from './s3-state-backend-options.js';

/**
 * Creates the {@link S3StateBackend} for `state.backend.type: s3`. The whole configuration (the
 * `state.backend.s3.*` keys and the `aws.*` keys of the client) is validated first and every
 * problem reported at once, before any AWS client exists.
 *
 * @example
 * ```ts
 * registerS3StateBackend();
 * const backend = await createStateBackend(Configuration.fromYaml(`
 * state.backend.type: s3
 * state.backend.s3.bucket: my-state
 * aws.region: eu-west-1
 * `));
 * ```
 */
export class S3StateBackendFactory extends AbstractAwsStateBackendFactory<S3StateBackend> {
  readonly type = 's3';
  protected readonly options: readonly AnyConfigOption[] = s3StateBackendOptions();

  override async createFromConfig(
    configuration: Configuration,
    context: StateBackendContext = {},
  ): Promise<S3StateBackend> {
    validateAwsConfiguration(configuration, {
      options: [StateBackendOptions.TYPE, ...this.options],
      rules: S3_CONFIGURATION_RULES,
      scopePrefixes: ['aws.', S3_OPTIONS_PREFIX, StateBackendOptions.TYPE.key],
      ...(context.logger === undefined ? {} : { logger: context.logger }),
    });
    return this.create(configuration, context);
  }

  protected async create(
    configuration: Configuration,
    context: StateBackendContext,
  ): Promise<S3StateBackend> {
    return new S3StateBackend(configuration, {
      ...s3BackendOptionsFrom(configuration),
      ...(context.clients === undefined ? {} : { clients: context.clients }),
      ...(context.logger === undefined ? {} : { logger: context.logger }),
    });
  }
}

/** The backend options a validated configuration describes. */
export function s3BackendOptionsFrom(configuration: Configuration): BackendOptions {
  const get = <T>(option: ConfigOption<T>, fallback: T): T => configuration.get(option) ?? fallback;
  const optional = <T>(option: ConfigOption<T>): T | undefined => configuration.get(option);
  const bucket = get(Options.BUCKET, '');
  const encryptionType = get(Options.ENCRYPTION, 'NONE');
  const kmsKeyId = optional(Options.KMS_KEY_ID);
  const encryption: S3Encryption | undefined =
    encryptionType === 'SSE-S3'
      ? { type: 'SSE-S3' }
      : encryptionType === 'SSE-KMS'
        ? { type: 'SSE-KMS', ...(kmsKeyId === undefined ? {} : { kmsKeyId }) }
        : undefined;
  const owner = optional(Options.EXPECTED_BUCKET_OWNER);
  const entropyMarker = optional(Options.ENTROPY_KEY);
  return {
    location: {
      bucket,
      prefix: get(Options.PREFIX, ''),
      partSize: get(Options.PART_SIZE, DEFAULT_PART_SIZE),
      uploadConcurrency: get(Options.UPLOAD_CONCURRENCY, DEFAULT_UPLOAD_CONCURRENCY),
      entropyLength: get(Options.ENTROPY_LENGTH, DEFAULT_ENTROPY_LENGTH),
      ...(entropyMarker === undefined ? {} : { entropyMarker }),
      ...(encryption === undefined ? {} : { encryption }),
      ...(owner === undefined ? {} : { expectedBucketOwner: owner }),
    },
    clientConfig: { forcePathStyle: get(Options.FORCE_PATH_STYLE, false) },
    incremental: get(Options.INCREMENTAL, true),
    retainedCheckpoints: get(Options.RETAINED_CHECKPOINTS, 1),
    targetFileSize: get(Options.FILE_SIZE, 64 * 1024 * 1024),
    compression: get(Options.COMPRESSION, 'zstd'),
    restoreConcurrency: get(Options.RESTORE_CONCURRENCY, 8),
    restoreMode: get(Options.RESTORE_MODE, 'lazy'),
  };
}

/**
 * Registers the `s3` type in `registry` (aws-base's default registry unless given), so that
 * `createStateBackend` creates the S3 backend when `state.backend.type` is `s3`. Call it once at
 * start-up: the package registers nothing by being imported.
 */
export function registerS3StateBackend(
  registry: StateBackendRegistry = defaultStateBackendRegistry,
): StateBackendRegistry {
  return registry.register(new S3StateBackendFactory());
}
