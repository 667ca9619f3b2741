// The keyed-state backend conformance suite; nothing is defined here.

export { checkpointConformanceCases } from './checkpoint-conformance.js';
export type {
  CheckpointConformanceOptions,
  ConformanceCheckpointing,
} from './checkpoint-conformance-options.js';
export { type ConformanceBackendSpec, ConformanceHarness } from './conformance-harness.js';
export type {
  ConformanceCaseDefiner,
  ConformanceCaseGroup,
  KeyedStateBackendConformanceOptions,
} from './conformance-options.js';
export { describeKeyedStateBackendConformance, keyedStateConformanceCases } from './describe-conformance.js';
export {
  FailingCheckpointStorage,
  type FailureMode,
  InjectedStorageFailure,
} from './failing-checkpoint-storage.js';
export { collect, interleave, seededRandom, sortedKeys } from './helpers.js';
export { ManualClock } from './manual-clock.js';
