import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointConformanceCases, describeKeyedStateBackendConformance } from '@statebackend/testkit';
import { CheckpointingHeapBackendBuilder, LocalCheckpointStorage } from '../../../src/index.js';

// The whole conformance suite again with lazy restores: every restore hands the backend out before
// its key groups are loaded, so checkpoints, rescaling, crashes and savepoints all meet key groups
// still loading.
const directory = mkdtempSync(join(tmpdir(), 'sb-conformance-lazy-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeKeyedStateBackendConformance('heap with local checkpoints, restored lazily', {
  create: (parameters) => new CheckpointingHeapBackendBuilder(parameters).build(),
  extraCases: checkpointConformanceCases({
    storage: ({ jobId, operatorId }) => new LocalCheckpointStorage({ directory, jobId, operatorId }),
    create: (parameters, { storage, restoreFrom, incremental, retainedCheckpoints }) =>
      new CheckpointingHeapBackendBuilder(parameters, {
        checkpointStorage: storage,
        restore: { mode: 'lazy', concurrency: 2, maxBytesInFlight: 1 },
        ...(restoreFrom === undefined ? {} : { restoreFrom }),
        ...(incremental === undefined ? {} : { incremental }),
        ...(retainedCheckpoints === undefined ? {} : { retainedCheckpoints }),
      }).build(),
    incremental: true,
  }),
});
