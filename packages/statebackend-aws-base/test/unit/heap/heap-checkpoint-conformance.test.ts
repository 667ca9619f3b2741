import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointConformanceCases, describeKeyedStateBackendConformance } from '@statebackend/testkit';
import { CheckpointingHeapBackendBuilder, LocalCheckpointStorage } from '../../../src/index.js';

// The heap backend with checkpoints in a local directory runs the whole conformance suite: every
// keyed-state case, plus checkpoints, rescaling, crashes at every storage step and savepoints.
const directory = mkdtempSync(join(tmpdir(), 'sb-conformance-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeKeyedStateBackendConformance('heap with local checkpoints', {
  create: (parameters) => new CheckpointingHeapBackendBuilder(parameters).build(),
  extraCases: checkpointConformanceCases({
    storage: ({ jobId, operatorId }) => new LocalCheckpointStorage({ directory, jobId, operatorId }),
    create: (parameters, { storage, restoreFrom, incremental, retainedCheckpoints }) =>
      new CheckpointingHeapBackendBuilder(parameters, {
        checkpointStorage: storage,
        ...(restoreFrom === undefined ? {} : { restoreFrom }),
        ...(incremental === undefined ? {} : { incremental }),
        ...(retainedCheckpoints === undefined ? {} : { retainedCheckpoints }),
      }).build(),
    incremental: true,
  }),
});
