import {
  CheckpointingHeapBackendBuilder,
  type CheckpointingKeyedStateBackend,
  type CheckpointStorage,
  KeyGroupRange,
  type MetricGroup,
  type RestoreSource,
  Serializers,
  type StateRegistration,
  type TtlTimeProvider,
  type TypeSerializer,
} from '@statebackend/aws-base';
import type { JobScope } from './location.js';

/** The example runs as one operator instance owning every key group. */
export const EXAMPLE_MAX_PARALLELISM = 128;

/** What a job's keyed backend is built from. */
export interface JobBackendOptions {
  readonly scope: JobScope;
  /** Where its checkpoints go; undefined for a backend that only exports savepoints. */
  readonly storage: CheckpointStorage | undefined;
  readonly restoreFrom: RestoreSource | undefined;
  readonly clock?: TtlTimeProvider;
  readonly metricGroup?: MetricGroup;
  /** Registered right after restore, so that an incompatible state fails the start. */
  readonly states?: readonly StateRegistration[];
  readonly maxParallelism?: number;
  /** Default: every key group of `maxParallelism`. */
  readonly keyGroupRange?: KeyGroupRange;
  /** Delete nothing already in `storage` (no retention): for a savepoint import. */
  readonly keepHistory?: boolean;
}

/**
 * The keyed backend of a job with string keys: in-memory working state with checkpoints in
 * `storage` (a local directory for the heap backend, S3 for the S3 backend), restored as asked.
 */
export function buildJobBackend(options: JobBackendOptions): Promise<CheckpointingKeyedStateBackend<string>> {
  return buildKeyedBackend(options, Serializers.string);
}

/** {@link buildJobBackend} for keys of any serializer (savepoints move state of any job). */
export function buildKeyedBackend<K>(
  options: JobBackendOptions,
  keySerializer: TypeSerializer<K>,
): Promise<CheckpointingKeyedStateBackend<K>> {
  const maxParallelism = options.maxParallelism ?? EXAMPLE_MAX_PARALLELISM;
  return new CheckpointingHeapBackendBuilder<K>(
    {
      ...options.scope,
      keyGroupRange: options.keyGroupRange ?? KeyGroupRange.of(0, maxParallelism - 1),
      maxParallelism,
      keySerializer,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.metricGroup === undefined ? {} : { metricGroup: options.metricGroup }),
    },
    {
      ...(options.storage === undefined ? {} : { checkpointStorage: options.storage }),
      ...(options.restoreFrom === undefined ? {} : { restoreFrom: options.restoreFrom }),
      retainedCheckpoints: 2,
      ...(options.keepHistory === true ? { keepHistory: true } : {}),
      ...(options.states === undefined ? {} : { states: options.states }),
    },
  ).build();
}
