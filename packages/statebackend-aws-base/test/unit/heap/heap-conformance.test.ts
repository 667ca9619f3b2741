import { describeKeyedStateBackendConformance } from '@statebackend/testkit';
import { HeapStateBackend } from '../../../src/index.js';

// The heap backend runs the conformance suite every backend runs.
describeKeyedStateBackendConformance('heap', {
  create: (parameters) => new HeapStateBackend().createKeyedStateBackend(parameters),
});
