import type { S3Client } from '@aws-sdk/client-s3';
import {
  type CheckpointingHeapKeyedStateBackend,
  computeKeyGroupRangeForOperatorIndex,
  type KeyedStateBackendParameters,
  type KeyGroupRange,
  type RestoreSource,
  Serializers,
} from '@statebackend/aws-base';
import type { TestTarget } from '@statebackend/testkit';
import { S3StateBackend, type S3StateBackendOptions } from '../../src/index.js';

export const MAX_PARALLELISM = 128;

/** A state backend writing to `bucket` through the test's client (which the backend leaves open). */
export function s3StateBackend(
  target: TestTarget,
  client: S3Client,
  bucket: string,
  options: Partial<S3StateBackendOptions> = {},
): S3StateBackend {
  return new S3StateBackend(target.configuration(), {
    client,
    location: { bucket, prefix: 'it' },
    ...options,
  } as S3StateBackendOptions);
}

export function parameters(
  jobId: string,
  keyGroupRange: KeyGroupRange = computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, 1, 0),
): KeyedStateBackendParameters<string> {
  return {
    jobId,
    operatorId: 'op',
    keyGroupRange,
    maxParallelism: MAX_PARALLELISM,
    keySerializer: Serializers.string,
  };
}

/** The keyed backend of operator index `index` of `parallelism`. */
export function keyedBackend(
  backend: S3StateBackend,
  jobId: string,
  restoreFrom: RestoreSource | 'none' = 'latest',
  parallelism = 1,
  index = 0,
): Promise<CheckpointingHeapKeyedStateBackend<string>> {
  return backend.createKeyedStateBackend(
    parameters(jobId, computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, index)),
    { restoreFrom },
  );
}
