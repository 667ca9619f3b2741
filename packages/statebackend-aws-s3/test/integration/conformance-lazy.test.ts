import {
  checkpointConformanceCases,
  cleanupAfterAll,
  describeEachTarget,
  describeKeyedStateBackendConformance,
} from '@statebackend/testkit';
import type { S3StateBackend } from '../../src/index.js';
import { s3StateBackend } from '../support/s3-backend.js';
import { createBucket, s3ClientFor } from '../support/s3-bucket.js';

// The conformance suite again with lazy restores from S3: every restore hands the backend out
// before its key groups are read (ranged GETs, one key group per read), so checkpoints, crashes,
// rescaling and handover meet key groups still loading.
describeEachTarget('s3', (target) => {
  const cleanup = cleanupAfterAll();
  const s3 = s3ClientFor(target, cleanup);
  let backend: S3StateBackend | undefined;

  beforeAll(async () => {
    const bucket = await createBucket(s3, target, cleanup, 's3-conformance-lazy');
    backend = s3StateBackend(target, s3, bucket, { restoreMode: 'lazy' });
    cleanup.add('S3 state backend', () => backend?.close());
  });

  const ready = (): S3StateBackend => {
    if (backend === undefined) throw new Error('the bucket was not created');
    return backend;
  };

  describeKeyedStateBackendConformance(`S3StateBackend on ${target.name}, restored lazily`, {
    create: (parameters) => ready().createKeyedStateBackend(parameters),
    timeoutMs: 60_000,
    extraCases: checkpointConformanceCases({
      storage: ({ jobId, operatorId }) => ready().storageFor(jobId, operatorId),
      create: (parameters, { storage, restoreFrom, incremental, retainedCheckpoints }) =>
        ready().createKeyedStateBackend(parameters, {
          storage,
          restoreFrom: restoreFrom ?? 'none',
          ...(incremental === undefined ? {} : { incremental }),
          ...(retainedCheckpoints === undefined ? {} : { retainedCheckpoints }),
        }),
      incremental: true,
    }),
  });
});
